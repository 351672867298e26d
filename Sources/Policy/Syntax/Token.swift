/// A lexical token of the policy, schema and test languages.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A name or keyword (`permit`, `principal`, `surname`); keywords are not reserved.
        case identifier
        /// A double-quoted string; `text` holds its contents with escapes resolved.
        case string
        /// A non-negative decimal integer; `integer` holds its value.
        case integer
        /// Punctuation or an operator; `text` holds it.
        case symbol
        case endOfFile
    }

    var kind: Kind
    var text: String
    var integer: Int64 = 0
    var line: Int
    var column: Int

    func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }
    func isWord(_ word: String) -> Bool { kind == .identifier && text == word }

    /// How the token reads in a diagnostic.
    var display: String {
        switch kind {
        case .identifier: return "'\(text)'"
        case .string: return "a string"
        case .integer: return "a number"
        case .symbol: return "'\(text)'"
        case .endOfFile: return "end of file"
        }
    }
}
