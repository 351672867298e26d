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

    @Test("libpq's environment: a URL's password goes to PGPASSWORD, the overrides win, every setting is kept")
    func environment() throws {
        var configuration = PostgresConfiguration(connectionString: "postgresql://o:S3CRET@h:5433/db?sslmode=require")
        let plain = try configuration.libpqEnvironment()
        #expect(plain["PGPASSWORD"] == "S3CRET")
        #expect(plain["PGUSER"] == "o")
        #expect(plain["PGHOST"] == "h")
        #expect(plain["PGPORT"] == "5433")
        #expect(plain["PGDATABASE"] == "db")
        #expect(plain["PGSSLMODE"] == "require")
        #expect(plain["PGCLIENTENCODING"] == "UTF8")
        #expect(!plain.keys.contains { !$0.hasPrefix("PG") })

        configuration.user = "bilet_vault"
        configuration.password = "override-secret"
        configuration.database = "other"
        configuration.applicationName = "bilet-backup"
        configuration.connectTimeoutSeconds = 7
        let overridden = try configuration.libpqEnvironment()
        #expect(overridden["PGUSER"] == "bilet_vault")
        #expect(overridden["PGPASSWORD"] == "override-secret")
        #expect(overridden["PGDATABASE"] == "other")
        #expect(overridden["PGAPPNAME"] == "bilet-backup")
        #expect(overridden["PGCONNECT_TIMEOUT"] == "7")
        #expect(overridden["PGHOST"] == "h")

        let keywords = try PostgresConfiguration(connectionString: "host=/run/pg dbname=bilet password='a b'").libpqEnvironment()
        #expect(keywords["PGHOST"] == "/run/pg")
        #expect(keywords["PGDATABASE"] == "bilet")
        #expect(keywords["PGPASSWORD"] == "a b")
        // A plain name is a database name, not a connection string.
        #expect(try PostgresConfiguration(connectionString: "bilet").libpqEnvironment()["PGDATABASE"] == "bilet")
    }

    @Test("libpq's environment refuses what it cannot carry: an option with no variable, an unparsable string")
    func environmentRefusals() {
        for connectionString in ["host=h keepalives=1", "postgresql://h/db?nonsense=1", "host='unterminated"] {
            let error = #expect(throws: PostgresError.self) {
                try PostgresConfiguration(connectionString: connectionString).libpqEnvironment()
            }
            #expect(error?.code == .invalidParameter, "\(connectionString)")
        }
    }
}
