import PostgreSQL
public import Tokens

/// One pupil's trial figures for their navigator's progress page.
public struct TrialsProgress: Sendable, Hashable {
    /// Events the pupil holds a seat in (waiting-list places do not count).
    public var enrolled: Int
    /// Events the mentor marked the pupil present at.
    public var attended: Int

    public init(enrolled: Int, attended: Int) {
        self.enrolled = enrolled
        self.attended = attended
    }
}

extension TrialsStore {
    /// The trial figures of each of `pupils`, read-only, in one statement, keyed by token text; a
    /// pupil with neither a seat nor an attendance mark is absent.
    public func progress(of pupils: [TrialsToken]) async throws(TrialsError) -> [String: TrialsProgress] {
        guard !pupils.isEmpty else { return [:] }
        let list = pupils.map(\.rawValue).joined(separator: ",")
        return try await read("the pupils' trial figures") {
            let rows = try await pool.query(
                """
                SELECT t.token,
                       (SELECT count(*) FROM trials.enrolments e WHERE e.pupil_token = t.token AND e.state = 'seated'),
                       (SELECT count(*) FROM trials.attendance a WHERE a.pupil_token = t.token AND a.attended)
                FROM unnest(string_to_array(\(list), ',')) AS t(token)
                """)
            var figures: [String: TrialsProgress] = [:]
            for row in rows {
                let enrolled = Int(try row.decode(Int64.self, at: 1))
                let attended = Int(try row.decode(Int64.self, at: 2))
                if enrolled > 0 || attended > 0 {
                    figures[try row.decode(String.self, at: 0)] = TrialsProgress(enrolled: enrolled, attended: attended)
                }
            }
            return figures
        }
    }
}
