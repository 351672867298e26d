import DatabaseTestSupport
import Foundation
import PostgreSQL
@testable import Storage
import Testing

@Suite("LocalCluster: private, socket-only, idempotent")
struct LocalClusterTests {
    @Test("the cluster listens on its own socket only, UTF8, with logs kept free of statements")
    func settings() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            let row = try #require(try await pool.query(
                """
                SELECT current_setting('listen_addresses') AS listen,
                       current_setting('unix_socket_permissions') AS permissions,
                       current_setting('server_encoding') AS encoding,
                       current_setting('log_min_error_statement') AS error_statement,
                       current_setting('log_error_verbosity') AS verbosity,
                       upper('привет, ёж') AS upper
                """).first)
            #expect(try row.decode(String.self, column: "listen") == "")
            #expect(try row.decode(String.self, column: "permissions") == "0700")
            #expect(try row.decode(String.self, column: "encoding") == "UTF8")
            #expect(try row.decode(String.self, column: "error_statement") == "panic")
            #expect(try row.decode(String.self, column: "verbosity") == "terse")
            #expect(try row.decode(String.self, column: "upper") == "ПРИВЕТ, ЁЖ")
            let tcpRules = try await pool.query(
                "SELECT count(*) FROM pg_hba_file_rules WHERE type LIKE 'host%' AND auth_method <> 'reject'")
            #expect(try tcpRules.singleValue(Int.self) == 0)
        }
    }

    @Test("the cluster's directories are private to the cluster's owner")
    func ownership() async throws {
        let cluster = try await TestPostgres.sharedCluster()
        for path in [cluster.directory, cluster.dataDirectory, cluster.socketDirectory] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o700, "\(path)")
            if geteuid() == 0 {
                #expect((attributes[.ownerAccountName] as? String) == "bilet-postgres", "\(path)")
            }
        }
    }

    @Test("start is idempotent, stop is clean, and a restart reuses the data")
    func lifecycle() async throws {
        let cluster = try await TestPostgres.makeDedicatedCluster()
        #expect(try await cluster.status() == .running)
        try await cluster.start()
        #expect(try await cluster.status() == .running)

        let pool = PostgresConnectionPool(configuration: cluster.configuration(), maxConnections: 1)
        try await pool.execute("CREATE TABLE kept (id int)")
        try await pool.execute("INSERT INTO kept VALUES (5)")
        await pool.shutdown()

        try await cluster.stop()
        #expect(try await cluster.status() == .stopped)
        try await cluster.stop()

        try await cluster.start()
        #expect(try await cluster.status() == .running)
        let again = PostgresConnectionPool(configuration: cluster.configuration(), maxConnections: 1)
        #expect(try await again.query("SELECT id FROM kept").singleValue(Int32.self) == 5)
        await again.shutdown()
        try await cluster.stop()
    }

    @Test("an uninitialised directory reports notInitialised")
    func notInitialised() async throws {
        let cluster = try LocalCluster(directory: "/tmp/bilet-never-created-\(UUID().uuidString.prefix(8))")
        #expect(try await cluster.status() == .notInitialised)
    }

    @Test("a socket path beyond the operating system's limit is refused")
    func socketPathTooLong() {
        let error = #expect(throws: LocalClusterError.self) {
            try LocalCluster(directory: "/tmp/" + String(repeating: "d", count: 100))
        }
        #expect(error?.code == .socketPathTooLong)
    }

    @Test("connection string values are quoted for libpq")
    func connectionStringQuoting() throws {
        #expect(LocalCluster.quoteConnectionValue("/tmp/a b") == "'/tmp/a b'")
        #expect(LocalCluster.quoteConnectionValue("it's\\") == "'it\\'s\\\\'")
        let cluster = try LocalCluster(directory: "/tmp/bilet x")
        #expect(cluster.connectionString(database: "db") == "host='/tmp/bilet x/socket' dbname='db' user='postgres'")
    }
}
