public import Foundation
import PostgreSQL
public import Tokens

extension AssessmentStore {
    /// Assigns a published version to the pupil, due by `due` (informative: a late pupil may still
    /// start, the session's own deadline is what counts). `record` is called before the change
    /// commits.
    ///
    /// Assigning a version the pupil already has is idempotent: the existing assignment is
    /// returned as it stands (`created` false, its attempts, due date and navigator unchanged, and
    /// `record` not called), so neither a retry nor a second navigator gives the pupil fresh
    /// attempts. Concurrent calls for one pupil and version are serialised by a transaction-level
    /// advisory lock on the pair, so only one of them creates the assignment.
    ///
    /// - Throws: ``AssessmentError/Code/testNotFound``, ``AssessmentError/Code/notPublished``,
    ///   ``AssessmentError/Code/recordFailed``, ``AssessmentError/Code/storage``.
    public func assign(
        code: String, version: Int, to pupil: AssessmentToken, due: Date?, by navigator: String, record: Record<Assignment> = { _ in }
    ) async throws(AssessmentError) -> AssignmentOutcome {
        let at = now()
        return try await Self.storage {
            try await pool.withTransaction { connection in
                let rows = try await connection.query(
                    """
                    SELECT code, version, title, state, time_limit_seconds, max_attempts, uploaded_at, published_at
                    FROM assessment.tests WHERE code = \(code) AND version = \(version)
                    """)
                guard let row = rows.first else { throw AssessmentError(.testNotFound, "no test has this code and version") }
                let stored = try Self.version(from: row)
                guard stored.state == .published else { throw AssessmentError(.notPublished, "version \(version) of \(code) is a draft") }
                let pair = "\(pupil.rawValue)/\(code)@\(version)"
                try await connection.execute("SELECT pg_advisory_xact_lock(hashtext('assessment.assign'), hashtext(\(pair)))")
                let existing = try await connection.query(
                    """
                    SELECT a.id, a.test_code, a.test_version, t.title, a.assigned_by, a.assigned_at, a.due_at,
                           (SELECT count(*) FROM assessment.sessions s WHERE s.assignment_id = a.id)::integer, t.max_attempts
                    FROM assessment.assignments a JOIN assessment.tests t ON t.code = a.test_code AND t.version = a.test_version
                    WHERE a.pupil_token = \(pupil.rawValue) AND a.test_code = \(code) AND a.test_version = \(version)
                    ORDER BY a.assigned_at, a.id LIMIT 1
                    """)
                if let row = existing.first {
                    return AssignmentOutcome(assignment: try Self.assignment(from: row, pupil: pupil), created: false)
                }
                let id = UUID()
                try await connection.execute(
                    """
                    INSERT INTO assessment.assignments (id, pupil_token, test_code, test_version, assigned_by, assigned_at, due_at)
                    VALUES (\(id), \(pupil.rawValue), \(code), \(version), \(navigator), \(at), \(due))
                    """)
                let assignment = Assignment(
                    id: id, pupil: pupil, testCode: code, testVersion: version, title: stored.title, assignedBy: navigator, assignedAt: at,
                    dueAt: due, attemptsUsed: 0, maxAttempts: stored.maxAttempts)
                try await Self.call(record, assignment)
                return AssignmentOutcome(assignment: assignment, created: true)
            }
        }
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
        return try rows.map { row throws(AssessmentError) in try Self.assignment(from: row, pupil: pupil) }
    }

    /// An assignment from a row of the columns ``assignments(for:)`` selects.
    static func assignment(from row: Row, pupil: AssessmentToken) throws(AssessmentError) -> Assignment {
        try decodeRow {
            Assignment(
                id: try row.decode(UUID.self, at: 0), pupil: pupil, testCode: try row.decode(String.self, at: 1),
                testVersion: try row.decode(Int.self, at: 2), title: try row.decode(String.self, at: 3),
                assignedBy: try row.decode(String.self, at: 4), assignedAt: try row.decode(Date.self, at: 5),
                dueAt: try row.decode(Date?.self, at: 6), attemptsUsed: try row.decode(Int.self, at: 7),
                maxAttempts: try row.decode(Int.self, at: 8))
        }
    }
}
