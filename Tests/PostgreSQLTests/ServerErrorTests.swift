import DatabaseTestSupport
import PostgreSQL
import Testing

@Suite("Server errors map to SQLSTATE without echoing values")
struct ServerErrorTests {
    @Test("unique violation is 23505 with the constraint and table, and no parameter value")
    func uniqueViolation() async throws {
        let database = try await TestPostgres.makeDatabase()
        let secret = "synthetic-pupil-login-7731"
        try await database.withPool { pool in
            try await pool.execute("CREATE TABLE accounts (login text CONSTRAINT accounts_login_key UNIQUE)")
            try await pool.execute("INSERT INTO accounts VALUES (\(secret))")
            let error = await #expect(throws: PostgresError.self) {
                try await pool.execute("INSERT INTO accounts VALUES (\(secret))")
            }
            let failure = try #require(error)
            #expect(failure.code == .server(.uniqueViolation))
            #expect(failure.sqlState?.rawValue == "23505")
            #expect(failure.sqlState?.condition == "unique_violation")
            #expect(failure.constraint == "accounts_login_key")
            #expect(failure.table == "accounts")
            #expect(failure.schema == "public")
            #expect(!failure.description.contains(secret))
            #expect(!String(reflecting: failure.code).contains(secret))
            #expect(failure.description.contains("23505 unique_violation"))
            #expect(failure.description.contains("accounts_login_key"))
        }
    }

    @Test("a syntax error is 42601")
    func syntaxError() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("SELEKT 1")
            }
            #expect(error?.code == .server(.syntaxError))
            #expect(error?.description.contains("42601 syntax_error") == true)
        }
    }

    @Test("a value the server echoes in its message stays out of the description")
    func echoedValueStaysOut() async throws {
        let database = try await TestPostgres.makeDatabase()
        let secret = "synthetic-value-9925"
        try await database.withPool { pool in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT \(secret)::int")
            }
            #expect(error?.code == .server(.invalidTextRepresentation))
            #expect(error?.description.contains(secret) == false)
            // The server did echo it: only the explicitly named debugging property carries it.
            #expect(error?.primaryMessageForDebugging?.contains(secret) == true)
        }
    }

    @Test("a decoding failure names the column and Swift type, never the value")
    func decodingError() async throws {
        let database = try await TestPostgres.makeDatabase()
        let secret = "synthetic-name-3310"
        try await database.withPool { pool in
            let row = try #require(try await pool.query("SELECT \(secret) AS display_name, NULL::int AS age").first)
            let wrongType = #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "display_name") }
            #expect(wrongType?.code == .decoding)
            #expect(wrongType?.column == "display_name")
            #expect(wrongType?.description.contains("Int") == true)
            #expect(wrongType?.description.contains("text") == true)
            #expect(wrongType?.description.contains(secret) == false)

            let null = #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "age") }
            #expect(null?.code == .decoding)
            #expect(null?.description.contains("unexpected NULL") == true)
            #expect(try row.decode(Int?.self, column: "age") == nil)

            let missing = #expect(throws: PostgresError.self) { try row.decode(String.self, column: "nope") }
            #expect(missing?.code == .decoding)
            #expect(missing?.column == "nope")
        }
    }

    @Test("an out-of-range integer fails to decode as Int32")
    func outOfRange() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            let result = try await pool.query("SELECT 4294967296::int8")
            let error = #expect(throws: PostgresError.self) { try result.singleValue(Int32.self) }
            #expect(error?.code == .decoding)
            #expect(try result.singleValue(Int64.self) == 4_294_967_296)
        }
    }

    @Test("connecting to a socket that does not exist is connectionFailed")
    func connectionFailed() async throws {
        let pool = PostgresConnectionPool(
            configuration: PostgresConfiguration(connectionString: "host=/nonexistent/bilet dbname=x user=x"),
            maxConnections: 1)
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .connectionFailed)
        #expect(error?.description == "PostgreSQL connection failed")
        #expect(pool.openConnectionCount == 0)
        await pool.shutdown()
    }
}
