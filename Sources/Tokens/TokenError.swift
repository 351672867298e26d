/// A string that is not a token of the expected kind, or entropy of the wrong length.
///
/// The error never repeats the offending text: a mistyped token could be anything, personal data
/// included.
public struct TokenError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong. Raw values never change.
    public enum Code: String, Hashable, Sendable {
        /// The text is not `<expected prefix>_<22 base64url characters>`.
        case malformed = "token.malformed"
        /// The random bytes given were not exactly 16.
        case invalidEntropy = "token.invalid_entropy"
    }

    /// The stable code.
    public let code: Code
    /// The prefix the parser expected (`sub`, `asm` …).
    public let expectedPrefix: String

    /// Creates an error.
    public init(_ code: Code, expectedPrefix: String) {
        self.code = code
        self.expectedPrefix = expectedPrefix
    }

    public var description: String { "\(code.rawValue) (expected a \(expectedPrefix)_ token)" }
}
