import DatabaseTestSupport
import PostgreSQL
import Testing

@Suite("Transactions commit on return and roll back on throw or cancellation")
struct TransactionTests {
    struct SyntheticFailure: Error, Equatable {
        let marker: Int
    }

    @Test("a transaction that returns is committed")
    func commitOnReturn() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            try await pool.execute("CREATE TABLE ledger (id int PRIMARY KEY)")
            let returned = try await pool.withTransaction { connection in
                try await connection.execute("INSERT INTO ledger VALUES (1)")
                try await connection.execute("INSERT INTO ledger VALUES (2)")
                return "done"
            }
            #expect(returned == "done")
            #expect(try await pool.query("SELECT count(*) FROM ledger").singleValue(Int.self) == 2)
        }
    }

    @Test("a transaction that throws is rolled back and the original error is rethrown")
    func rollbackOnThrow() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool(maxConnections: 1) { pool in
            try await pool.execute("CREATE TABLE ledger (id int PRIMARY KEY)")
            await #expect(throws: SyntheticFailure(marker: 42)) {
                try await pool.withTransaction(isolation: .serializable) { connection in
                    try await connection.execute("INSERT INTO ledger VALUES (1)")
                    throw SyntheticFailure(marker: 42)
                }
            }
            #expect(try await pool.query("SELECT count(*) FROM ledger").singleValue(Int.self) == 0)
            // The connection went back to the pool outside any transaction and is reused.
            #expect(try await pool.query("SELECT count(*) FROM ledger").singleValue(Int.self) == 0)
            #expect(pool.openConnectionCount == 1)
        }
    }

    @Test("a server error inside the body rolls back and surfaces as the server error")
    func rollbackOnServerError() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            try await pool.execute("CREATE TABLE ledger (id int PRIMARY KEY)")
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    try await connection.execute("INSERT INTO ledger VALUES (1)")
                    try await connection.execute("INSERT INTO ledger VALUES (1)")
                }
            }
            #expect(error?.code == .server(.uniqueViolation))
            #expect(try await pool.query("SELECT count(*) FROM ledger").singleValue(Int.self) == 0)
        }
    }

    @Test("a swallowed server error makes COMMIT fail with transactionAborted")
    func swallowedErrorIsNotCommitted() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            try await pool.execute("CREATE TABLE ledger (id int PRIMARY KEY)")
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    try await connection.execute("INSERT INTO ledger VALUES (1)")
                    _ = try? await connection.execute("INSERT INTO ledger VALUES (1)")
                }
            }
            #expect(error?.code == .transactionAborted)
            #expect(try await pool.query("SELECT count(*) FROM ledger").singleValue(Int.self) == 0)
        }
    }

    @Test("a cancelled transaction is rolled back")
    func rollbackOnCancellation() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            try await pool.execute("CREATE TABLE ledger (id int PRIMARY KEY)")
            let inserted = AsyncStream<Void>.makeStream()
            let task = Task {
                try await pool.withTransaction { connection in
                    try await connection.execute("INSERT INTO ledger VALUES (1)")
                    inserted.continuation.yield()
                    // Wait for cancellation, then return normally: the pool must still roll back.
                    while !Task.isCancelled { await Task.yield() }
                }
            }
            for await _ in inserted.stream { break }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try await pool.query("SELECT count(*) FROM ledger").singleValue(Int.self) == 0)
        }
    }

    @Test("each isolation level is the one in force inside the transaction", arguments: [
        (TransactionIsolation.readCommitted, "read committed"),
        (.repeatableRead, "repeatable read"),
        (.serializable, "serializable"),
    ])
    func isolationLevels(isolation: TransactionIsolation, expected: String) async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            let level = try await pool.withTransaction(isolation: isolation) { connection in
                try await connection.query("SELECT current_setting('transaction_isolation')").singleValue(String.self)
            }
            #expect(level == expected)
        }
    }
}
