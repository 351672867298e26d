import Foundation
import PostgreSQL
public import Tokens

extension TrialsStore {
    /// Records (or corrects) the mark of the mentor `mentor` for a seated pupil of an approved
    /// event the mentor runs.
    ///
    /// - Throws: ``TrialsError/Code/invalidArgument``, ``TrialsError/Code/eventNotFound``,
    ///   ``TrialsError/Code/notRunBy``, ``TrialsError/Code/wrongStatus``,
    ///   ``TrialsError/Code/notEnrolled``, ``TrialsError/Code/notSeated``,
    ///   ``TrialsError/Code/recordFailed``, ``TrialsError/Code/storage``.
    public func mark(_ mark: AttendanceMark, by mentor: String, record: Record<AttendanceMark> = { _ in }) async throws(TrialsError) {
        try mark.validated()
        try await transaction("marking attendance") { connection in
            let event = try await Self.locked(mark.event, on: connection)
            guard event.details.mentor == mentor else { throw TrialsError(.notRunBy, "the account does not run the event") }
            guard event.status == .approved else { throw TrialsError(.wrongStatus, "only an approved event is marked") }
            switch try await Self.enrolment(of: mark.pupil, in: mark.event, on: connection)?.state {
            case nil: throw TrialsError(.notEnrolled, "the pupil is not enrolled in the event")
            case .waiting?: throw TrialsError(.notSeated, "the pupil is on the waiting list")
            case .seated?: break
            }
            try await connection.execute(
                """
                INSERT INTO trials.attendance (event_id, pupil_token, attended, grade, feedback, marked_by)
                VALUES (\(mark.event), \(mark.pupil.rawValue), \(mark.attended), \(mark.grade), \(mark.feedback), \(mentor))
                ON CONFLICT (event_id, pupil_token) DO UPDATE
                SET attended = EXCLUDED.attended, grade = EXCLUDED.grade, feedback = EXCLUDED.feedback,
                    marked_by = EXCLUDED.marked_by, marked_at = now()
                """)
            try await Self.call(record, mark)
        }
    }

    /// One page of `event`'s seated pupils in seating order, each with the mentor's mark once
    /// given: at most `limit` from `offset` (the mentor's attendance list, read page by page so a
    /// mass event's list stays within the vault's batch bound).
    ///
    /// - Throws: ``TrialsError/Code/invalidQuery`` (a negative offset or a limit outside
    ///   1...``maximumSeatedPage``), ``TrialsError/Code/storage``.
    public func seated(in event: Int64, offset: Int, limit: Int) async throws(TrialsError) -> [SeatedPupil] {
        guard offset >= 0, (1...Self.maximumSeatedPage).contains(limit) else {
            throw TrialsError(.invalidQuery, "offset or limit is out of range")
        }
        return try await read("listing seated pupils") {
            let rows = try await pool.query(
                """
                SELECT e.pupil_token, a.attended, a.grade, a.feedback
                FROM trials.enrolments e
                LEFT JOIN trials.attendance a ON a.event_id = e.event_id AND a.pupil_token = e.pupil_token
                WHERE e.event_id = \(event) AND e.state = 'seated'
                ORDER BY e.position LIMIT \(limit) OFFSET \(offset)
                """)
            return try rows.map { row in
                let pupil = try Self.token(try row.decode(String.self, at: 0))
                let mark = try row.decode(Bool?.self, at: 1).map { attended in
                    AttendanceMark(
                        event: event, pupil: pupil, attended: attended, grade: try row.decode(Int?.self, at: 2),
                        feedback: try row.decode(String?.self, at: 3))
                }
                return SeatedPupil(pupil: pupil, mark: mark)
            }
        }
    }

    /// The largest page of ``seated(in:offset:limit:)``.
    public static let maximumSeatedPage = 200

    /// The marks of `event`, by token.
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func marks(of event: Int64) async throws(TrialsError) -> [AttendanceMark] {
        try await read("listing marks") {
            let rows = try await pool.query(
                "SELECT pupil_token, attended, grade, feedback FROM trials.attendance WHERE event_id = \(event) ORDER BY pupil_token")
            return try rows.map { row in
                AttendanceMark(
                    event: event, pupil: try Self.token(try row.decode(String.self, at: 0)), attended: try row.decode(Bool.self, at: 1),
                    grade: try row.decode(Int?.self, at: 2), feedback: try row.decode(String?.self, at: 3))
            }
        }
    }

    /// `pupil`'s trial signals for the footprint: every event the pupil holds a seat in, with the
    /// event's sphere and competencies and the mentor's mark (attended, grade) once given; newest
    /// first.
    ///
    /// - Throws: ``TrialsError/Code/storage``.
    public func signals(for pupil: TrialsToken) async throws(TrialsError) -> [TrialSignal] {
        try await read("reading trial signals") {
            let rows = try await pool.query(
                """
                SELECT ev.id, ev.kind, ev.sphere, array_to_string(ev.competencies, ','), a.attended, a.grade, ev.ends_at
                FROM trials.enrolments e JOIN trials.events ev ON ev.id = e.event_id
                LEFT JOIN trials.attendance a ON a.event_id = e.event_id AND a.pupil_token = e.pupil_token
                WHERE e.pupil_token = \(pupil.rawValue) AND e.state = 'seated'
                ORDER BY ev.ends_at DESC, ev.id
                """)
            return try rows.map { row in
                let competencies = try row.decode(String.self, at: 3)
                return TrialSignal(
                    pupil: pupil, event: try row.decode(Int64.self, at: 0),
                    kind: TrialEvent.Kind(rawValue: try row.decode(String.self, at: 1)) ?? .trial, sphere: try row.decode(String.self, at: 2),
                    competencies: competencies.isEmpty ? [] : competencies.split(separator: ",").map(String.init),
                    attended: try row.decode(Bool?.self, at: 4), grade: try row.decode(Int?.self, at: 5), endsAt: try row.decode(Date.self, at: 6))
            }
        }
    }
}
