import GnuTLS

/// A session's bearer token: 32 random bytes from GnuTLS, base64url without padding (43
/// characters). The client keeps the text; the database keeps only ``digest`` (SHA-256), so a copy
/// of the database gives no usable token.
public struct SessionToken: Sendable, Hashable {
    /// The bearer text.
    public let text: String

    /// A new random token.
    ///
    /// - Throws: ``AccountsError/Code/crypto``.
    public static func generate() throws(AccountsError) -> SessionToken {
        SessionToken(unchecked: RandomText.base64URL(try RandomText.bytes(32)))
    }

    /// The token in `text`; nil unless it is 43 base64url characters.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 43, bytes.allSatisfy({ byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }) else { return nil }
        self.text = String(text)
    }

    private init(unchecked text: String) {
        self.text = text
    }

    /// SHA-256 of the token text, what `accounts.sessions.token_hash` holds.
    ///
    /// - Throws: ``AccountsError/Code/crypto``.
    public func digest() throws(AccountsError) -> [UInt8] {
        do {
            return try Digest.hash(.sha256, of: Array(text.utf8))
        } catch {
            throw AccountsError(.crypto, "hashing the session token failed")
        }
    }
}
