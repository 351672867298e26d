import PostgreSQL
public import Tokens

/// One pupil's test figures for their navigator's progress page.
public struct AssessmentProgress: Sendable, Hashable {
    /// Tests assigned to the pupil.
    public var assigned: Int
    /// Of those, the ones the pupil submitted (an expired session does not count).
    public var completed: Int

    public init(assigned: Int, completed: Int) {
        self.assigned = assigned
        self.completed = completed
    }
}

extension AssessmentStore {
    /// The test figures of each of `pupils`, read-only, in one statement (a page of a navigator's
    /// progress costs one query here). Keyed by token text; a pupil with no assignment is absent.
    public func progress(of pupils: [AssessmentToken]) async throws(AssessmentError) -> [String: AssessmentProgress] {
        guard !pupils.isEmpty else { return [:] }
        let list = pupils.map(\.rawValue).joined(separator: ",")
        let rows = try await Self.storage {
            try await pool.query(
                """
                SELECT a.pupil_token, count(*),
                       count(*) FILTER (WHERE EXISTS (
                           SELECT 1 FROM assessment.sessions s JOIN assessment.results r ON r.session_id = s.id
                           WHERE s.assignment_id = a.id AND r.outcome = 'submitted'))
                FROM assessment.assignments a
                WHERE a.pupil_token = ANY(string_to_array(\(list), ','))
                GROUP BY a.pupil_token
                """)
        }
        var figures: [String: AssessmentProgress] = [:]
        for row in rows {
            let (token, figure) = try Self.decodeRow {
                (
                    try row.decode(String.self, at: 0),
                    AssessmentProgress(assigned: Int(try row.decode(Int64.self, at: 1)), completed: Int(try row.decode(Int64.self, at: 2)))
                )
            }
            figures[token] = figure
        }
        return figures
    }
}
