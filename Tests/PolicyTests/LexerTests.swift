import Policy
import Testing

@Suite("Lexer and parser")
struct LexerTests {
    @Test(
        "syntax errors carry a code and the exact location",
        arguments: [
            ("@id(\"r\") permit (principal, action, resource) when { 1 # 2 };", PolicyDiagnostic.Code.unexpectedCharacter, 1, 56),
            ("@id(\"r) permit;", .unterminatedString, 1, 5),
            ("@id(\"r\") permit (principal, action, resource) when { 99999999999999999999 > 1 };", .invalidNumber, 1, 54),
            ("@id(\"r\") permit (principal, action, resource) when { 3days };", .invalidNumber, 1, 54),
            ("@id(\"r\")\n  allow (principal, action, resource);", .unexpectedToken, 2, 3),
            ("@id(\"r\") permit (principal, action, resource)", .unexpectedToken, 1, 46),
            ("@id(\"r\") permit (principal, action, resource, purpose);", .unexpectedToken, 1, 47),
            ("@id(\"r\") permit (principal, action, resource) fields [a] fields [b];", .duplicateClause, 1, 58),
            ("@id(\"r\") permit (principal, action, resource) when { context.time + 3 weeks };", .unexpectedToken, 1, 71),
            ("@id(\"r\") permit (principal, action, resource) when { timestamp \"2025-02-30\" };", .invalidTimestamp, 1, 64),
            ("@id(\"r\") permit (principal, action, resource) when { \"a\\n\" };", .unexpectedCharacter, 1, 57),
            ("@id(\"r\") permit (principal, action, resource) when {" + String(repeating: "(", count: 200) + "true"
                + String(repeating: ")", count: 200) + "};", .nestingTooDeep, 1, 101),
            ("@id(\"r\") permit (principal, action, resource) when {" + String(repeating: "!", count: 100) + "true };",
                .nestingTooDeep, 1, 100),
            ("// ünïcödé comment\n@id(\"r\") pérmit", .unexpectedCharacter, 2, 11),
        ])
    func syntaxErrors(source: String, code: PolicyDiagnostic.Code, line: Int, column: Int) throws {
        let found = diagnostics(schema: miniSchema, policy: source)
        let first = try #require(found.first)
        #expect(first.code == code, "\(first)")
        #expect(first.location.line == line, "\(first)")
        #expect(first.location.column == column, "\(first)")
    }

    @Test("timestamps parse and print in UTC, refusing impossible dates")
    func timestamps() {
        #expect(Timestamp(iso8601: "1970-01-01")?.secondsSinceEpoch == 0)
        #expect(Timestamp(iso8601: "2025-10-10T09:00:00Z")?.secondsSinceEpoch == 1_760_086_800)
        #expect(Timestamp(iso8601: "2024-02-29T23:59Z")?.description == "2024-02-29T23:59:00Z")
        #expect(Timestamp(iso8601: "1969-12-31T23:59:59Z")?.secondsSinceEpoch == -1)
        #expect(Timestamp(secondsSinceEpoch: -1).description == "1969-12-31T23:59:59Z")
        for bad in ["2025-02-29", "2025-13-01", "2025-01-32", "2025-01-01T24:00Z", "2025-01-01T10:00", "2025-1-1", "",
            "2025-01-01T10:00:00+03:00", "2025-01-01X"]
        {
            #expect(Timestamp(iso8601: bad) == nil, "\(bad)")
        }
    }
}
