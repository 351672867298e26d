public import Foundation
public import PostgreSQL
public import Tokens

/// One recommendation for a pupil, known to this module only by its ``RecommendationsToken``:
/// the professional spheres recommended, as codes.
public struct Recommendation: Sendable, Hashable {
    public var pupil: RecommendationsToken
    /// Sphere codes (`it`, `medicine`, `engineering` …).
    public var spheres: [String]
    public var createdAt: Date

    /// Creates a recommendation.
    public init(pupil: RecommendationsToken, spheres: [String], createdAt: Date = Date()) {
        self.pupil = pupil
        self.spheres = spheres
        self.createdAt = createdAt
    }
}

/// The recommendations module's store, keyed by the pupil's recommendations token, in the
/// `recommendations` schema, through a pool connecting as `bilet_recommendations`.
public struct RecommendationsStore: Sendable {
    public let pool: PostgresConnectionPool

    /// A store over `pool` (role `bilet_recommendations`).
    public init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Adds a recommendation.
    public func add(_ recommendation: Recommendation) async throws(PostgresError) {
        try await pool.execute(
            """
            INSERT INTO recommendations.items (pupil_token, spheres, created_at)
            VALUES (\(recommendation.pupil.rawValue), \(recommendation.spheres.joined(separator: ",")), \(recommendation.createdAt))
            """)
    }

    /// The pupil's recommendations, oldest first.
    public func recommendations(for pupil: RecommendationsToken) async throws(PostgresError) -> [Recommendation] {
        let rows = try await pool.query(
            """
            SELECT spheres, created_at FROM recommendations.items WHERE pupil_token = \(pupil.rawValue) ORDER BY created_at, id
            """)
        var list: [Recommendation] = []
        for row in rows {
            list.append(
                Recommendation(
                    pupil: pupil, spheres: try row.decode(String.self, at: 0).split(separator: ",").map(String.init),
                    createdAt: try row.decode(Date.self, at: 1)))
        }
        return list
    }
}
