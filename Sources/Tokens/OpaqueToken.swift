/// What every bilet token type has in common: a fixed prefix naming its kind and a random body.
///
/// Tokens are compared, hashed and stored by their text. They carry no meaning: two tokens of
/// the same subject in different namespaces share nothing, and nothing in a token is derived
/// from personal data.
public protocol OpaqueToken: Hashable, Sendable, Comparable, LosslessStringConvertible {
    /// The prefix before `_` (`sub`, `asm`, `trl`, `rec`, `cns`).
    static var prefix: String { get }
    /// The full text, `<prefix>_<body>`.
    var rawValue: String { get }
    /// Wraps text already checked by ``TokenEncoding``.
    init(uncheckedRawValue: String)
}

extension OpaqueToken {
    /// Parses a token of this kind.
    ///
    /// - Throws: ``TokenError/Code/malformed`` for anything but `<prefix>_` and a canonical
    ///   22-character base64url body.
    public init(parsing text: String) throws(TokenError) {
        guard TokenEncoding.isValid(text, prefix: Self.prefix) else {
            throw TokenError(.malformed, expectedPrefix: Self.prefix)
        }
        self.init(uncheckedRawValue: text)
    }

    /// Builds a token from exactly 16 random bytes. Only the vault mints tokens, from a
    /// cryptographic random generator; never pass bytes derived from personal data.
    ///
    /// - Throws: ``TokenError/Code/invalidEntropy`` unless `entropy` has 16 bytes.
    public init(entropy: [UInt8]) throws(TokenError) {
        guard let text = TokenEncoding.encode(prefix: Self.prefix, entropy: entropy) else {
            throw TokenError(.invalidEntropy, expectedPrefix: Self.prefix)
        }
        self.init(uncheckedRawValue: text)
    }

    /// `LosslessStringConvertible`: nil unless `description` is a well-formed token of this kind.
    public init?(_ description: String) {
        guard TokenEncoding.isValid(description, prefix: Self.prefix) else { return nil }
        self.init(uncheckedRawValue: description)
    }

    /// The token text; tokens are not secret and not personal data.
    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether `text` is a well-formed token of this kind.
    public static func isWellFormed(_ text: String) -> Bool {
        TokenEncoding.isValid(text, prefix: prefix)
    }
}

extension OpaqueToken where Self: Codable {
    /// Decodes the token text, refusing a malformed token.
    public init(from decoder: any Decoder) throws {
        self = try Self(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the token text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
