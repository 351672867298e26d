import PostgreSQL

/// A pool for the length of one backup operation, shut down afterwards whatever happens.
enum PoolScope {
    static func using<Result>(
        _ configuration: PostgresConfiguration, maxConnections: Int = 1, _ body: (PostgresConnectionPool) async throws -> Result
    ) async throws -> Result {
        let pool = PostgresConnectionPool(configuration: configuration, maxConnections: maxConnections, acquireTimeout: .seconds(30))
        do {
            let result = try await body(pool)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}
