import DatabaseTestSupport
import PostgreSQL
import Testing

@Suite("Connection strings pass through untouched; overrides apply")
struct ConfigurationTests {
    @Test("a multi-host URI tries an unreachable host first, then connects to the real socket")
    func multiHostURI() async throws {
        let database = try await TestPostgres.makeDatabase()
        let socket = database.cluster.socketDirectory
        let encoded = socket.replacingOccurrences(of: "/", with: "%2F")
        let uri = "postgresql://%2Fnonexistent%2Fbilet,\(encoded)/\(database.name)?user=postgres&target_session_attrs=read-write"
        let pool = PostgresConnectionPool(configuration: PostgresConfiguration(connectionString: uri), maxConnections: 1)
        let host = try await pool.withConnection { connection in connection.host }
        #expect(host == socket)
        #expect(try await pool.query("SELECT current_database()").singleValue(String.self) == database.name)
        await pool.shutdown()
    }

    @Test("a multi-host keyword/value string works the same way")
    func multiHostKeywords() async throws {
        let database = try await TestPostgres.makeDatabase()
        let socket = database.cluster.socketDirectory
        let configuration = PostgresConfiguration(
            connectionString: "host=/nonexistent/bilet,\(socket) dbname=\(database.name) user=postgres target_session_attrs=any")
        let pool = PostgresConnectionPool(configuration: configuration, maxConnections: 1)
        #expect(try await pool.withConnection { $0.host } == socket)
        await pool.shutdown()
    }

    @Test("user, database and application_name overrides win over the connection string")
    func overrides() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        var configuration = database.cluster.configuration(database: "postgres")
        configuration.database = database.name
        configuration.user = "bilet_policy"
        configuration.applicationName = "bilet-test-override"
        configuration.connectTimeoutSeconds = 5
        let pool = PostgresConnectionPool(configuration: configuration, maxConnections: 1)
        let row = try #require(try await pool.query(
            "SELECT current_user::text AS u, current_database()::text AS d, current_setting('application_name') AS a"
        ).first)
        #expect(try row.decode(String.self, column: "u") == "bilet_policy")
        #expect(try row.decode(String.self, column: "d") == database.name)
        #expect(try row.decode(String.self, column: "a") == "bilet-test-override")
        await pool.shutdown()
    }

    @Test("the description never shows the connection string")
    func descriptionRedacts() {
        let configuration = PostgresConfiguration(
            connectionString: "host=db password=synthetic-secret", user: "bilet_vault")
        #expect(!configuration.description.contains("synthetic-secret"))
        #expect(configuration.description.contains("bilet_vault"))
    }
}
