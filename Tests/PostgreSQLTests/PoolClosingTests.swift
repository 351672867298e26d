import DatabaseTestSupport
import PostgreSQL
import Testing

@Suite("A pool used for one operation is shut down whatever the operation does")
struct PoolClosingTests {
    /// The error a body throws, to tell it from the pool's own.
    struct Refusal: Error, Equatable {}

    @Test("closing returns the body's result and shuts the pool down")
    func returns() async throws {
        let database = try await TestPostgres.makeDatabase()
        let pool = PostgresConnectionPool(configuration: database.configuration, maxConnections: 1)
        #expect(try await pool.closing { try await $0.query("SELECT 7").singleValue(Int32.self) } == 7)
        let after = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(after?.code == .poolClosed)
    }

    @Test("closing rethrows the body's own (typed) error and still shuts the pool down")
    func throwsAndCloses() async throws {
        let database = try await TestPostgres.makeDatabase()
        let pool = PostgresConnectionPool(configuration: database.configuration, maxConnections: 1)
        var escaped: PostgresConnectionPool?
        do throws(Refusal) {
            try await pool.closing { (pool) throws(Refusal) -> Void in
                escaped = pool
                throw Refusal()
            }
            Issue.record("closing returned although the body threw")
        } catch {
            #expect(error == Refusal())
        }
        #expect(escaped === pool)
        let after = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(after?.code == .poolClosed)
        let used = await #expect(throws: PostgresError.self) {
            try await PostgresConnectionPool.using(configuration: database.configuration) { pool in
                escaped = pool
                return try await pool.query("SELECT no_such_column").singleValue(Int32.self)
            }
        }
        #expect(used?.sqlState == .undefinedColumn)
        let closed = await #expect(throws: PostgresError.self) { try await escaped!.query("SELECT 1") }
        #expect(closed?.code == .poolClosed)
    }
}
