public import Foundation
import PostgreSQL
public import Tokens

extension AssessmentStore {
    /// Assigns a published version to the pupil, due by `due` (informative: a late pupil may still
    /// start, the session's own deadline is what counts).
    ///
    /// - Throws: ``AssessmentError/Code/testNotFound``, ``AssessmentError/Code/notPublished``,
    ///   ``AssessmentError/Code/storage``.
    public func assign(
        code: String, version: Int, to pupil: AssessmentToken, due: Date?, by navigator: String
    ) async throws(AssessmentError) -> Assignment {
        guard let stored = try await self.version(code: code, version: version) else {
            throw AssessmentError(.testNotFound, "no test has this code and version")
        }
        guard stored.state == .published else { throw AssessmentError(.notPublished, "version \(version) of \(code) is a draft") }
        let id = UUID()
        let at = now()
        _ = try await Self.storage {
            try await pool.execute(
                """
                INSERT INTO assessment.assignments (id, pupil_token, test_code, test_version, assigned_by, assigned_at, due_at)
                VALUES (\(id), \(pupil.rawValue), \(code), \(version), \(navigator), \(at), \(due))
                """)
        }
        return Assignment(
            id: id, pupil: pupil, testCode: code, testVersion: version, title: stored.title, assignedBy: navigator, assignedAt: at, dueAt: due,
            attemptsUsed: 0, maxAttempts: stored.maxAttempts)
    }

    /// The pupil's assignments, oldest first, with the attempts used.
    public func assignments(for pupil: AssessmentToken) async throws(AssessmentError) -> [Assignment] {
        let rows = try await Self.storage {
            try await pool.query(
                """
                SELECT a.id, a.test_code, a.test_version, t.title, a.assigned_by, a.assigned_at, a.due_at,
                       (SELECT count(*) FROM assessment.sessions s WHERE s.assignment_id = a.id)::integer, t.max_attempts
                FROM assessment.assignments a JOIN assessment.tests t ON t.code = a.test_code AND t.version = a.test_version
                WHERE a.pupil_token = \(pupil.rawValue) ORDER BY a.assigned_at, a.id
                """)
        }
        return try rows.map { row throws(AssessmentError) in
            try Self.decodeRow {
                Assignment(
                    id: try row.decode(UUID.self, at: 0), pupil: pupil, testCode: try row.decode(String.self, at: 1),
                    testVersion: try row.decode(Int.self, at: 2), title: try row.decode(String.self, at: 3),
                    assignedBy: try row.decode(String.self, at: 4), assignedAt: try row.decode(Date.self, at: 5),
                    dueAt: try row.decode(Date?.self, at: 6), attemptsUsed: try row.decode(Int.self, at: 7),
                    maxAttempts: try row.decode(Int.self, at: 8))
            }
        }
    }
}
