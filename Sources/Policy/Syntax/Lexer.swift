/// Splits a source file into tokens. Never traps: any byte sequence yields tokens or a diagnostic.
///
/// Comments run from `//` to the end of the line. Strings are double-quoted on one line, with
/// `\"` and `\\` as the only escapes. Integers are decimal and must fit in 64 bits.
struct Lexer {
    static let maximumStringLength = 4_096

    let file: String
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ source: SourceFile) {
        self.file = source.path
        self.bytes = Array(source.text.utf8)
    }

    /// Every token of the file, ending with `.endOfFile`.
    static func tokens(of source: SourceFile) throws(PolicyDiagnostic) -> [Token] {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .endOfFile { return tokens }
        }
    }

    private func location(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func advance() {
        let byte = bytes[index]
        index += 1
        if byte == 0x0A {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// The symbol starting at `byte` (followed by `second`), and its length; nil when none.
    private static func symbol(_ byte: UInt8, _ second: UInt8?) -> (String, Int)? {
        switch (byte, second) {
        case (0x3D, 0x3D): return ("==", 2)
        case (0x21, 0x3D): return ("!=", 2)
        case (0x3C, 0x3D): return ("<=", 2)
        case (0x3E, 0x3D): return (">=", 2)
        case (0x26, 0x26): return ("&&", 2)
        case (0x7C, 0x7C): return ("||", 2)
        case (0x2D, 0x3E): return ("->", 2)
        default: break
        }
        switch byte {
        case 0x28: return ("(", 1)
        case 0x29: return (")", 1)
        case 0x7B: return ("{", 1)
        case 0x7D: return ("}", 1)
        case 0x5B: return ("[", 1)
        case 0x5D: return ("]", 1)
        case 0x2C: return (",", 1)
        case 0x3B: return (";", 1)
        case 0x2E: return (".", 1)
        case 0x3A: return (":", 1)
        case 0x40: return ("@", 1)
        case 0x3F: return ("?", 1)
        case 0x3D: return ("=", 1)
        case 0x3C: return ("<", 1)
        case 0x3E: return (">", 1)
        case 0x21: return ("!", 1)
        case 0x2B: return ("+", 1)
        case 0x2D: return ("-", 1)
        default: return nil
        }
    }

    mutating func next() throws(PolicyDiagnostic) -> Token {
        // Skip whitespace and comments.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0D {
                index += 1
                column += 1
            } else if byte == 0x0A {
                index += 1
                line += 1
                column = 1
            } else if byte == 0x2F, peek(1) == 0x2F {
                while index < bytes.count, bytes[index] != 0x0A {
                    if bytes[index] & 0xC0 != 0x80 { column += 1 }
                    index += 1
                }
            } else {
                break
            }
        }
        let startLine = line
        let startColumn = column
        guard let byte = peek() else {
            return Token(kind: .endOfFile, text: "", line: startLine, column: startColumn)
        }
        if Lexer.isIdentifierStart(byte) {
            let start = index
            while index < bytes.count, Lexer.isIdentifierStart(bytes[index]) || Lexer.isDigit(bytes[index]) {
                index += 1
                column += 1
            }
            return Token(
                kind: .identifier, text: String(decoding: bytes[start..<index], as: UTF8.self),
                line: startLine, column: startColumn)
        }
        if Lexer.isDigit(byte) {
            var value: Int64 = 0
            while let next = peek(), Lexer.isDigit(next) {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (plus, overflow2) = times.addingReportingOverflow(Int64(next - 0x30))
                if overflow1 || overflow2 {
                    throw PolicyDiagnostic(
                        .invalidNumber, at: location(startLine, startColumn), "number does not fit in 64 bits")
                }
                value = plus
                advance()
            }
            if let next = peek(), Lexer.isIdentifierStart(next) {
                throw PolicyDiagnostic(
                    .invalidNumber, at: location(startLine, startColumn), "a number runs into a name")
            }
            return Token(kind: .integer, text: "", integer: value, line: startLine, column: startColumn)
        }
        if byte == 0x22 {
            advance()
            var content: [UInt8] = []
            while true {
                guard let next = peek(), next != 0x0A else {
                    throw PolicyDiagnostic(
                        .unterminatedString, at: location(startLine, startColumn),
                        "string is not closed on its line")
                }
                advance()
                if next == 0x22 { break }
                if next == 0x5C {
                    guard let escaped = peek(), escaped == 0x22 || escaped == 0x5C else {
                        throw PolicyDiagnostic(
                            .unexpectedCharacter, at: location(line, column),
                            "only \\\" and \\\\ escapes are allowed in strings")
                    }
                    advance()
                    content.append(escaped)
                } else {
                    content.append(next)
                }
                if content.count > Lexer.maximumStringLength {
                    throw PolicyDiagnostic(
                        .unterminatedString, at: location(startLine, startColumn), "string is too long")
                }
            }
            return Token(
                kind: .string, text: String(decoding: content, as: UTF8.self), line: startLine,
                column: startColumn)
        }
        if let (text, length) = Lexer.symbol(byte, peek(1)) {
            index += length
            column += length
            return Token(kind: .symbol, text: text, line: startLine, column: startColumn)
        }
        throw PolicyDiagnostic(
            .unexpectedCharacter, at: location(startLine, startColumn),
            byte < 0x80 && byte >= 0x20 ? "unexpected character '\(Character(UnicodeScalar(byte)))'"
                : "unexpected character (byte \(byte))")
    }
}
