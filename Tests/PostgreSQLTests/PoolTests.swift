import DatabaseTestSupport
import PostgreSQL
import Storage
import Testing

@Suite("Connection pool bounds, waits, recovers")
struct PoolTests {
    @Test("a caller waiting on an exhausted pool fails with poolExhausted after the timeout")
    func exhaustion() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool(maxConnections: 1, acquireTimeout: .milliseconds(300)) { pool in
            let clock = ContinuousClock()
            try await pool.withConnection { held in
                _ = try await held.query("SELECT 1")
                let start = clock.now
                let error = await #expect(throws: PostgresError.self) {
                    try await pool.query("SELECT 1")
                }
                #expect(error?.code == .poolExhausted)
                #expect(clock.now - start >= .milliseconds(250))
                #expect(pool.openConnectionCount == 1)
            }
            // Once released, the connection serves the next caller.
            #expect(try await pool.query("SELECT 7").singleValue(Int32.self) == 7)
        }
    }

    @Test("waiters are served first come, first served when a connection is handed back")
    func fifoWaiters() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool(maxConnections: 1, acquireTimeout: .seconds(30)) { pool in
            let order = OrderRecorder()
            let holderReady = AsyncStream<Void>.makeStream()
            let release = AsyncStream<Void>.makeStream()
            let holder = Task {
                try await pool.withConnection { _ in
                    holderReady.continuation.yield()
                    for await _ in release.stream { break }
                }
            }
            for await _ in holderReady.stream { break }
            var waiters: [Task<Void, any Error>] = []
            for index in 0..<3 {
                waiters.append(Task {
                    try await pool.withConnection { connection in
                        await order.append(index)
                        _ = try await connection.query("SELECT 1")
                    }
                })
                // Let each waiter enqueue before the next one starts.
                try await Task.sleep(for: .milliseconds(100))
            }
            release.continuation.yield()
            try await holder.value
            for waiter in waiters { try await waiter.value }
            #expect(await order.values == [0, 1, 2])
        }
    }

    @Test("a cancelled waiter leaves the queue at once with .cancelled")
    func cancelledWaiter() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool(maxConnections: 1, acquireTimeout: .seconds(60)) { pool in
            try await pool.withConnection { _ in
                let waiter = Task { try await pool.query("SELECT 1") }
                try await Task.sleep(for: .milliseconds(100))
                waiter.cancel()
                let error = await #expect(throws: PostgresError.self) { try await waiter.value }
                #expect(error?.code == .cancelled)
            }
            #expect(try await pool.query("SELECT 2").singleValue(Int32.self) == 2)
        }
    }

    @Test("a connection handed back inside a transaction is discarded, not reused")
    func connectionLeftInTransactionIsDiscarded() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool(maxConnections: 1) { pool in
            let firstPID = try await pool.withConnection { connection in
                try await connection.execute("BEGIN")
                return try await connection.query("SELECT pg_backend_pid()").singleValue(Int32.self)
            }
            let secondPID = try await pool.query("SELECT pg_backend_pid()").singleValue(Int32.self)
            #expect(firstPID != secondPID)
            #expect(pool.openConnectionCount == 1)
        }
    }

    @Test("after shutdown every call fails with poolClosed")
    func shutdownClosesThePool() async throws {
        let database = try await TestPostgres.makeDatabase()
        let pool = PostgresConnectionPool(configuration: database.configuration, maxConnections: 2)
        #expect(try await pool.query("SELECT 1").singleValue(Int32.self) == 1)
        await pool.shutdown()
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .poolClosed)
        #expect(pool.openConnectionCount == 0)
    }

    @Test("statements are prepared once per connection and reused")
    func statementCache() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool(maxConnections: 1) { pool in
            try await pool.withConnection { connection in
                for value in 0..<5 {
                    #expect(try await connection.query("SELECT \(value) + 1").singleValue(Int.self) == value + 1)
                }
                let prepared = try await connection.query(
                    "SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT $1 + 1'")
                #expect(try prepared.singleValue(Int.self) == 1)
            }
        }
    }

    @Test("after PostgreSQL restarts, the next pool call reconnects transparently")
    func reconnectAfterRestart() async throws {
        let cluster = try await TestPostgres.makeDedicatedCluster()
        let pool = PostgresConnectionPool(configuration: cluster.configuration(), maxConnections: 2)
        let before = try await pool.query("SELECT pg_backend_pid()").singleValue(Int32.self)
        #expect(pool.openConnectionCount == 1)

        try await cluster.restart()

        let after = try await pool.query("SELECT pg_backend_pid()").singleValue(Int32.self)
        #expect(after != before)
        #expect(pool.openConnectionCount == 1)
        await pool.shutdown()
        try await cluster.stop()
        #expect(try await cluster.status() == .stopped)
    }
}

actor OrderRecorder {
    private(set) var values: [Int] = []

    func append(_ value: Int) {
        values.append(value)
    }
}
