import Foundation
import PostgreSQL
public import Tokens

extension AssessmentStore {
    /// The pupil's results, oldest first.
    public func results(for pupil: AssessmentToken) async throws(AssessmentError) -> [TestResult] {
        let rows = try await Self.storage {
            try await pool.query(
                """
                SELECT session_id, test_code, test_version, scores, answered, questions, outcome, completed_at
                FROM assessment.results WHERE pupil_token = \(pupil.rawValue) ORDER BY completed_at, session_id
                """)
        }
        var results: [TestResult] = []
        for row in rows { results.append(try Self.result(from: row)) }
        return results
    }

    /// The pupil's current footprint, by dimension.
    public func footprint(for pupil: AssessmentToken) async throws(AssessmentError) -> [FootprintValue] {
        let rows = try await Self.storage {
            try await pool.query(
                "SELECT dimension, value, updated_at FROM assessment.footprint WHERE pupil_token = \(pupil.rawValue) ORDER BY dimension")
        }
        return try rows.map { row throws(AssessmentError) in
            try Self.decodeRow {
                FootprintValue(dimension: try row.decode(String.self, at: 0), value: try row.decode(Int.self, at: 1), updatedAt: try row.decode(Date.self, at: 2))
            }
        }
    }

    /// Every change of the pupil's footprint, oldest first, each naming the session it came from.
    public func footprintHistory(for pupil: AssessmentToken) async throws(AssessmentError) -> [FootprintChange] {
        let rows = try await Self.storage {
            try await pool.query(
                """
                SELECT dimension, old_value, new_value, source_session, changed_at FROM assessment.footprint_history
                WHERE pupil_token = \(pupil.rawValue) ORDER BY id
                """)
        }
        return try rows.map { row throws(AssessmentError) in
            try Self.decodeRow {
                FootprintChange(
                    dimension: try row.decode(String.self, at: 0), oldValue: try row.decode(Int?.self, at: 1), newValue: try row.decode(Int.self, at: 2),
                    sourceSession: try row.decode(UUID.self, at: 3), changedAt: try row.decode(Date.self, at: 4))
            }
        }
    }

    func result(of session: UUID, on connection: PostgresConnection) async throws -> TestResult? {
        let rows = try await connection.query(
            """
            SELECT session_id, test_code, test_version, scores, answered, questions, outcome, completed_at
            FROM assessment.results WHERE session_id = \(session)
            """)
        return try rows.first.map(Self.result(from:))
    }

    static func result(from row: Row) throws(AssessmentError) -> TestResult {
        let scores = try decode([String: Int].self, try decodeRow { try row.decode(String.self, at: 3) })
        return try decodeRow {
            TestResult(
                session: try row.decode(UUID.self, at: 0), testCode: try row.decode(String.self, at: 1), testVersion: try row.decode(Int.self, at: 2),
                sheet: ScoreSheet(scores: scores, answered: try row.decode(Int.self, at: 4), questions: try row.decode(Int.self, at: 5)),
                outcome: TestSession.Status(rawValue: try row.decode(String.self, at: 6)) ?? .expired, completedAt: try row.decode(Date.self, at: 7))
        }
    }
}
