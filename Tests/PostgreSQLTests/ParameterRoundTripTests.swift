import DatabaseTestSupport
import Foundation
import PostgreSQL
import Testing

@Suite("Parameters round-trip unchanged, never as SQL")
struct ParameterRoundTripTests {
    static let hostileStrings: [String] = [
        "'",
        "''",
        "'; DROP TABLE x; --",
        "x'); DROP TABLE x; --",
        "\\",
        "back\\slash\\' and \\\\ doubled",
        "$1 $2 ? :name",
        "\"quoted\" identifier",
        "😀🎉 emoji with ZWJ 👩‍👩‍👧",
        "漢字かなカナ한국어",
        "\u{10FFFF}\u{1F600}𝄞",
        "",
        " ",
        "line\nbreak\ttab\r",
        "Тестовая строка",
    ]

    @Test("hostile text round-trips and the table survives", arguments: hostileStrings)
    func hostileTextRoundTrips(value: String) async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            try await pool.execute("CREATE TABLE x (id int PRIMARY KEY, body text NOT NULL)")
            try await pool.execute("INSERT INTO x (id, body) VALUES (1, \(value))")
            let row = try #require(
                try await pool.query("SELECT body, octet_length(body) AS bytes FROM x WHERE id = 1").first)
            #expect(try row.decode(String.self, column: "body") == value)
            #expect(try row.decode(Int.self, column: "bytes") == value.utf8.count)

            let echoed = try await pool.query("SELECT \(value) AS echoed").singleValue(String.self)
            #expect(echoed == value)
            let matches = try await pool.query("SELECT count(*) FROM x WHERE body = \(value)").singleValue(Int.self)
            #expect(matches == 1)
            let tables = try await pool.query("SELECT count(*) FROM pg_tables WHERE tablename = 'x'")
                .singleValue(Int.self)
            #expect(tables == 1)
        }
    }

    @Test("a 2 MB string of 2-, 3- and 4-byte UTF-8 round-trips")
    func veryLongTextRoundTrips() async throws {
        let value = String(repeating: "длинная строка 😀 漢字 ", count: 60_000)
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            let row = try #require(try await pool.query("SELECT \(value) AS v, octet_length(\(value)) AS n").first)
            #expect(try row.decode(String.self, column: "v") == value)
            #expect(try row.decode(Int.self, column: "n") == value.utf8.count)
        }
    }

    @Test("text holding NUL is refused with the exact typed error and nothing is sent")
    func nulInTextIsRefused() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            try await pool.execute("CREATE TABLE x (id int, body text)")
            let bad = "before\u{0}after"
            let error = await #expect(throws: PostgresError.self) {
                try await pool.execute("INSERT INTO x (id, body) VALUES (\(Int32(1)), \(bad))")
            }
            #expect(error?.code == .invalidParameter)
            #expect(error?.parameterIndex == 2)
            #expect(error?.description.contains("before") == false)
            #expect(try await pool.query("SELECT count(*) FROM x").singleValue(Int.self) == 0)

            // A single connection refuses it the same way.
            let connectionError = try await pool.withConnection { connection in
                await #expect(throws: PostgresError.self) {
                    try await connection.query("SELECT \(bad)")
                }
            }
            #expect(connectionError?.code == .invalidParameter)
            #expect(connectionError?.parameterIndex == 1)
        }
    }

    @Test(
        "bytea with NUL bytes and every byte value round-trips",
        arguments: [
            [UInt8](),
            [0],
            [0, 0, 0],
            [0, 1, 0, 255, 0, 92, 39],
            Array(0...255),
            Array("'; DROP TABLE x; --\u{0}".utf8),
        ])
    func byteaRoundTrips(bytes: [UInt8]) async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            try await pool.execute("CREATE TABLE blobs (id int, data bytea)")
            try await pool.execute("INSERT INTO blobs VALUES (1, \(bytes))")
            let row = try #require(try await pool.query("SELECT data, length(data) AS n FROM blobs").first)
            #expect(try row.decode([UInt8].self, column: "data") == bytes)
            #expect(try row.decode(Int.self, column: "n") == bytes.count)
            #expect(try row.decode(Data.self, column: "data") == Data(bytes))
            #expect(row.isNull(at: 0) == false)
        }
    }

    @Test("every built-in type round-trips, and nil is NULL")
    func typesRoundTrip() async throws {
        let database = try await TestPostgres.makeDatabase()
        let id = UUID()
        let date = Date(timeIntervalSince1970: 1_700_000_000.123456)
        try await database.withPool { pool in
            let row = try #require(
                try await pool.query(
                    """
                    SELECT \(Int.max) AS i, \(Int64.min) AS i64, \(Int32.min) AS i32, \(true) AS yes,
                           \(false) AS no, \(-0.5) AS d, \(Double.infinity) AS inf, \(id) AS u, \(date) AS t,
                           \(nil as String?) AS ns, \(nil as Int?) AS ni, \(nil as UUID?) AS nu,
                           \(Optional("set")) AS os,
                           pg_typeof(\(id))::text AS utype, pg_typeof(\(date))::text AS ttype
                    """
                ).first)
            #expect(try row.decode(Int.self, column: "i") == Int.max)
            #expect(try row.decode(Int64.self, column: "i64") == Int64.min)
            #expect(try row.decode(Int32.self, column: "i32") == Int32.min)
            #expect(try row.decode(Bool.self, column: "yes") == true)
            #expect(try row.decode(Bool.self, column: "no") == false)
            #expect(try row.decode(Double.self, column: "d") == -0.5)
            #expect(try row.decode(Double.self, column: "inf") == .infinity)
            #expect(try row.decode(UUID.self, column: "u") == id)
            let decodedDate = try row.decode(Date.self, column: "t")
            #expect(abs(decodedDate.timeIntervalSince(date)) < 0.000_002)
            #expect(try row.decode(String?.self, column: "ns") == nil)
            #expect(try row.decode(Int?.self, column: "ni") == nil)
            #expect(try row.decode(UUID?.self, column: "nu") == nil)
            #expect(try row.decode(String?.self, column: "os") == "set")
            #expect(try row.decode(String.self, column: "utype") == "uuid")
            #expect(try row.decode(String.self, column: "ttype") == "timestamp with time zone")
        }
    }

    @Test("timestamps and dates written by the server decode to the same instant")
    func serverTimestampDecodes() async throws {
        let database = try await TestPostgres.makeDatabase()
        try await database.withPool { pool in
            let date = try await pool.query("SELECT '2024-02-29 12:34:56.789012+00'::timestamptz")
                .singleValue(Date.self)
            #expect(abs(date.timeIntervalSince1970 - 1_709_210_096.789012) < 0.000_001)
            let day = try await pool.query("SELECT '2000-01-02'::date").singleValue(Date.self)
            #expect(day == Date(timeIntervalSince1970: 946_771_200))
        }
    }
}
