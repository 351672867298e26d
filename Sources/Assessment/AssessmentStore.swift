public import Foundation
public import PostgreSQL
public import Tokens

/// One scored test of a pupil, known to this module only by its ``AssessmentToken``.
public struct AssessmentResult: Sendable, Hashable {
    public var pupil: AssessmentToken
    /// The test's code (`career-interests-7`).
    public var testCode: String
    public var score: Int
    public var completedAt: Date

    /// Creates a result.
    public init(pupil: AssessmentToken, testCode: String, score: Int, completedAt: Date) {
        self.pupil = pupil
        self.testCode = testCode
        self.score = score
        self.completedAt = completedAt
    }
}

/// The assessment module's store: test results keyed by the pupil's assessment token, in the
/// `assessment` schema, through a pool connecting as `bilet_assessment`. It never sees a name or
/// the vault's own token; names are resolved through the vault's one door by the gateway.
public struct AssessmentStore: Sendable {
    public let pool: PostgresConnectionPool

    /// A store over `pool` (role `bilet_assessment`).
    public init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Records a result.
    public func record(_ result: AssessmentResult) async throws(PostgresError) {
        try await pool.execute(
            """
            INSERT INTO assessment.results (pupil_token, test_code, score, completed_at)
            VALUES (\(result.pupil.rawValue), \(result.testCode), \(result.score), \(result.completedAt))
            """)
    }

    /// The pupil's results, oldest first.
    public func results(for pupil: AssessmentToken) async throws(PostgresError) -> [AssessmentResult] {
        let rows = try await pool.query(
            """
            SELECT test_code, score, completed_at FROM assessment.results
            WHERE pupil_token = \(pupil.rawValue) ORDER BY completed_at, id
            """)
        var results: [AssessmentResult] = []
        for row in rows {
            results.append(
                AssessmentResult(
                    pupil: pupil, testCode: try row.decode(String.self, at: 0), score: try row.decode(Int.self, at: 1),
                    completedAt: try row.decode(Date.self, at: 2)))
        }
        return results
    }
}
