import DatabaseTestSupport
import PostgreSQL
import Testing

@Suite("SQL text comes from literals; values are parameters; identifiers are quoted")
struct SQLTextTests {
    @Test("interpolated values become numbered placeholders")
    func placeholders() {
        let name = "x'); DROP TABLE y; --"
        let statement: SQLStatement = "SELECT * FROM t WHERE a = \(name) AND b = \(Int32(3)) AND c = \(nil as String?)"
        #expect(statement.sql == "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3")
        #expect(statement.parameterCount == 3)
        #expect(!statement.description.contains("DROP"))
    }

    @Test("identifiers are double-quoted with embedded quotes doubled")
    func identifierQuoting() throws {
        let identifier = try SQLIdentifier("we\"ird name; DROP")
        let statement: SQLStatement = "CREATE TABLE \(identifier: identifier) (id int)"
        #expect(statement.sql == "CREATE TABLE \"we\"\"ird name; DROP\" (id int)")
    }

    @Test("a quoted identifier names exactly that object in PostgreSQL")
    func identifierRoundTrip() async throws {
        let database = try await TestPostgres.makeDatabase()
        let identifier = try SQLIdentifier("we\"ird ТАБЛИЦА 😀")
        try await database.withPool { pool in
            try await pool.execute("CREATE TABLE \(identifier: identifier) (id int)")
            let names = try await pool.query("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
            #expect(try names.map { try $0.decode(String.self, at: 0) } == ["we\"ird ТАБЛИЦА 😀"])
        }
    }

    @Test("invalid identifiers are refused", arguments: [
        "",
        String(repeating: "a", count: 64),
        String(repeating: "ж", count: 32),
        "nul\u{0}byte",
        "new\nline",
        "tab\there",
    ])
    func invalidIdentifiers(name: String) {
        let error = #expect(throws: PostgresError.self) { try SQLIdentifier(name) }
        #expect(error?.code == .invalidIdentifier)
    }

    @Test("a 63-byte identifier is accepted")
    func longestIdentifier() throws {
        #expect(try SQLIdentifier(String(repeating: "a", count: 63)).name.utf8.count == 63)
    }

    @Test("a script runs several statements")
    func script() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            try await pool.withConnection { connection in
                try await connection.execute(
                    script: "CREATE TABLE s (id int); INSERT INTO s VALUES (1); INSERT INTO s VALUES (2);")
            }
            #expect(try await pool.query("SELECT sum(id) FROM s").singleValue(Int.self) == 3)
        }
    }

    @Test("a statement is exactly one statement: a second one is refused by the server")
    func oneStatementOnly() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.execute("SELECT \(Int32(1)); SELECT 2")
            }
            #expect(error?.code == .server(.syntaxError))
        }
    }
}
