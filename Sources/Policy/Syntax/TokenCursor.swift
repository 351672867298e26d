/// A position in a token array with the small helpers every parser here shares.
struct TokenCursor {
    let file: String
    let tokens: [Token]
    private(set) var position = 0

    init(file: String, tokens: [Token]) {
        self.file = file
        self.tokens = tokens
    }

    var current: Token { tokens[position] }
    var atEnd: Bool { current.kind == .endOfFile }

    func peek(_ offset: Int) -> Token {
        tokens[min(position + offset, tokens.count - 1)]
    }

    func location(of token: Token) -> SourceLocation {
        SourceLocation(file: file, line: token.line, column: token.column)
    }

    var location: SourceLocation { location(of: current) }

    mutating func advance() -> Token {
        let token = current
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    func error(_ expected: String) -> PolicyDiagnostic {
        PolicyDiagnostic(.unexpectedToken, at: location, "expected \(expected), found \(current.display)")
    }

    mutating func take(symbol: String) -> Bool {
        if current.isSymbol(symbol) {
            _ = advance()
            return true
        }
        return false
    }

    mutating func take(word: String) -> Bool {
        if current.isWord(word) {
            _ = advance()
            return true
        }
        return false
    }

    mutating func expect(symbol: String) throws(PolicyDiagnostic) {
        guard take(symbol: symbol) else { throw error("'\(symbol)'") }
    }

    mutating func expect(word: String) throws(PolicyDiagnostic) {
        guard take(word: word) else { throw error("'\(word)'") }
    }

    /// A name, returned with its location.
    mutating func name(_ what: String) throws(PolicyDiagnostic) -> Located<String> {
        guard current.kind == .identifier else { throw error(what) }
        let token = advance()
        return Located(token.text, at: location(of: token))
    }

    mutating func string(_ what: String) throws(PolicyDiagnostic) -> Located<String> {
        guard current.kind == .string else { throw error(what) }
        let token = advance()
        return Located(token.text, at: location(of: token))
    }

    mutating func integer(_ what: String) throws(PolicyDiagnostic) -> Located<Int64> {
        guard current.kind == .integer else { throw error(what) }
        let token = advance()
        return Located(token.integer, at: location(of: token))
    }

    /// `[a, b, c]`: a bracketed, comma-separated, possibly empty list of names.
    mutating func nameList(_ what: String) throws(PolicyDiagnostic) -> [Located<String>] {
        try expect(symbol: "[")
        var names: [Located<String>] = []
        if take(symbol: "]") { return names }
        repeat {
            names.append(try name(what))
        } while take(symbol: ",")
        try expect(symbol: "]")
        return names
    }
}

/// A value with the place it was written.
struct Located<Wrapped: Sendable & Hashable>: Sendable, Hashable {
    var value: Wrapped
    var location: SourceLocation

    init(_ value: Wrapped, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}
