import Policy
import Testing

@Suite("Lexer and parser")
struct LexerTests {
    struct SyntaxCase: CustomStringConvertible, Sendable {
        var name: String
        var source: String
        var code: PolicyDiagnostic.Code
        var line: Int
        var column: Int
        var description: String { name }
    }

    static let head = "@id(\"r\") permit (principal, action, resource) when { "

    static let syntaxCases: [SyntaxCase] = [
        SyntaxCase(name: "stray character", source: head + "1 # 2 };", code: .unexpectedCharacter, line: 1, column: 56),
        SyntaxCase(name: "unterminated string", source: "@id(\"r) permit;", code: .unterminatedString, line: 1, column: 5),
        SyntaxCase(name: "number too large", source: head + "99999999999999999999 > 1 };", code: .invalidNumber, line: 1, column: 54),
        SyntaxCase(name: "number running into a name", source: head + "3days };", code: .invalidNumber, line: 1, column: 54),
        SyntaxCase(
            name: "unknown effect on line 2", source: "@id(\"r\")\n  allow (principal, action, resource);",
            code: .unexpectedToken, line: 2, column: 3),
        SyntaxCase(
            name: "missing semicolon at end of file", source: "@id(\"r\") permit (principal, action, resource)",
            code: .unexpectedToken, line: 1, column: 46),
        SyntaxCase(
            name: "purpose without a constraint", source: "@id(\"r\") permit (principal, action, resource, purpose);",
            code: .unexpectedToken, line: 1, column: 47),
        SyntaxCase(
            name: "two fields clauses", source: "@id(\"r\") permit (principal, action, resource) fields [a] fields [b];",
            code: .duplicateClause, line: 1, column: 58),
        SyntaxCase(name: "unknown duration unit", source: head + "context.time + 3 weeks };", code: .unexpectedToken, line: 1, column: 71),
        SyntaxCase(name: "impossible date", source: head + "timestamp \"2025-02-30\" };", code: .invalidTimestamp, line: 1, column: 64),
        SyntaxCase(name: "unsupported escape", source: head + "\"a\\n\" };", code: .unexpectedCharacter, line: 1, column: 57),
        SyntaxCase(
            name: "200 nested parentheses",
            source: head + String(repeating: "(", count: 200) + "true" + String(repeating: ")", count: 200) + " };",
            code: .nestingTooDeep, line: 1, column: 102),
        SyntaxCase(
            name: "100 negations", source: head + String(repeating: "!", count: 100) + "true };", code: .nestingTooDeep,
            line: 1, column: 101),
        SyntaxCase(
            name: "10,000 conjunctions", source: head + "true" + String(repeating: " && true", count: 10_000) + " };",
            code: .nestingTooDeep, line: 1, column: 435),
        SyntaxCase(
            name: "5,000 time shifts",
            source: head + "context.time" + String(repeating: " + 1 days", count: 5_000) + " > context.time };",
            code: .nestingTooDeep, line: 1, column: 490),
        SyntaxCase(
            name: "1,000 when clauses",
            source: "@id(\"r\") permit (principal, action, resource)" + String(repeating: " when { true }", count: 1_000) + ";",
            code: .tooMany, line: 1, column: 271),
        SyntaxCase(
            name: "non-ASCII after a non-ASCII comment", source: "// ünïcödé comment\n@id(\"r\") pérmit",
            code: .unexpectedCharacter, line: 2, column: 11),
    ]

    @Test("syntax errors carry a code and the exact location", arguments: syntaxCases)
    func syntaxErrors(_ syntax: SyntaxCase) throws {
        let found = diagnostics(schema: miniSchema, policy: syntax.source)
        let first = try #require(found.first)
        #expect(first.code == syntax.code, "\(first.code) at \(first.location)")
        #expect(first.location.line == syntax.line, "\(first.code) at \(first.location)")
        #expect(first.location.column == syntax.column, "\(first.code) at \(first.location)")
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
