public import PostgreSQL
public import Tokens

/// A pupil's attendance at one event, known to this module only by its ``TrialsToken``.
public struct Attendance: Sendable, Hashable {
    public var pupil: TrialsToken
    public var eventCode: String
    public var attended: Bool
    /// The mentor's grade, 1 to 5.
    public var grade: Int?

    /// Creates an attendance mark.
    public init(pupil: TrialsToken, eventCode: String, attended: Bool, grade: Int? = nil) {
        self.pupil = pupil
        self.eventCode = eventCode
        self.attended = attended
        self.grade = grade
    }
}

/// A failure of the trials store: the database's error, or a stored token that is not a trials
/// token (the table's CHECK makes that a sign of tampering).
public enum TrialsStoreError: Error, Sendable {
    case database(PostgresError)
    case malformedToken
}

/// The trials module's store: attendance and grades keyed by the pupil's trials token, in the
/// `trials` schema, through a pool connecting as `bilet_trials`.
public struct TrialsStore: Sendable {
    public let pool: PostgresConnectionPool

    /// A store over `pool` (role `bilet_trials`).
    public init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Marks (or re-marks) a pupil's attendance.
    public func mark(_ attendance: Attendance) async throws(TrialsStoreError) {
        do {
            try await pool.execute(
            """
            INSERT INTO trials.attendance (pupil_token, event_code, attended, grade)
            VALUES (\(attendance.pupil.rawValue), \(attendance.eventCode), \(attendance.attended), \(attendance.grade))
            ON CONFLICT (event_code, pupil_token) DO UPDATE
            SET attended = EXCLUDED.attended, grade = EXCLUDED.grade, marked_at = now()
            """)
        } catch {
            throw .database(error)
        }
    }

    /// The attendance list of an event, by token.
    public func attendance(at eventCode: String) async throws(TrialsStoreError) -> [Attendance] {
        do {
            let rows = try await pool.query(
                "SELECT pupil_token, attended, grade FROM trials.attendance WHERE event_code = \(eventCode) ORDER BY pupil_token")
            var list: [Attendance] = []
            for row in rows {
                guard let token = TrialsToken(try row.decode(String.self, at: 0)) else { throw TrialsStoreError.malformedToken }
                list.append(
                    Attendance(
                        pupil: token, eventCode: eventCode, attended: try row.decode(Bool.self, at: 1),
                        grade: try row.decode(Int?.self, at: 2)))
            }
            return list
        } catch let error as TrialsStoreError {
            throw error
        } catch let error as PostgresError {
            throw .database(error)
        } catch {
            throw .malformedToken
        }
    }
}
