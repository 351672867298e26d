import DatabaseTestSupport
import NIOPosix
import PostgreSQL
import Testing

@Suite("LISTEN/NOTIFY on a dedicated connection")
struct NotificationTests {
    /// A dedicated listening connection with its own one-thread pool.
    static func withListener(
        _ database: TestDatabase, _ body: (PostgresConnection) async throws -> Void
    ) async throws {
        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        let connection = try await PostgresConnection.connect(configuration: database.configuration, threadPool: threads)
        do {
            try await body(connection)
        } catch {
            connection.close()
            try await threads.shutdownGracefully()
            throw error
        }
        connection.close()
        try await threads.shutdownGracefully()
    }

    @Test("a committed notification arrives with its channel and payload; a rolled back one never does")
    func deliveredOnCommitOnly() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await Self.withListener(database) { listener in
            try await listener.listen("bilet_test_channel")
            #expect(try await listener.notifications(waitingAtMost: .milliseconds(50)).isEmpty)
            try await database.withPool { pool in
                struct Abort: Error {}
                await #expect(throws: Abort.self) {
                    try await pool.withTransaction { connection in
                        try await connection.notify("bilet_test_channel", payload: "rolled back")
                        throw Abort()
                    }
                }
                try await pool.withTransaction { connection in
                    try await connection.notify("bilet_test_channel", payload: "17")
                    try await connection.notify("other_channel", payload: "not listened to")
                    // not delivered before the commit
                    #expect(try await listener.notifications(waitingAtMost: .milliseconds(100)).isEmpty)
                }
            }
            var received: [PostgresNotification] = []
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(5)
            while received.isEmpty && clock.now < deadline {
                received += try await listener.notifications(waitingAtMost: .milliseconds(500))
            }
            #expect(received.map(\.channel) == ["bilet_test_channel"])
            #expect(received.map(\.payload) == ["17"])
            #expect(received.first?.processID ?? 0 > 0)
            try await listener.unlisten("bilet_test_channel")
            try await database.withPool { try await $0.execute("SELECT pg_notify('bilet_test_channel', 'after unlisten')") }
            #expect(try await listener.notifications(waitingAtMost: .milliseconds(200)).isEmpty)
        }
    }

    @Test("a listener whose server connection ends gets connectionLost")
    func connectionLost() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await Self.withListener(database) { listener in
            try await listener.listen("bilet_test_channel")
            let pid = try await listener.query("SELECT pg_backend_pid()").singleValue(Int32.self)
            try await database.withPool { _ = try await $0.query("SELECT pg_terminate_backend(\(pid))") }
            let error = await #expect(throws: PostgresError.self) {
                for _ in 0..<20 { _ = try await listener.notifications(waitingAtMost: .milliseconds(250)) }
            }
            #expect(error?.code == .connectionLost)
        }
    }

    @Test("a channel name that cannot be quoted is refused before anything is sent")
    func invalidChannel() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await Self.withListener(database) { listener in
            let error = await #expect(throws: PostgresError.self) { try await listener.listen("") }
            #expect(error?.code == .invalidIdentifier)
        }
    }
}
