import GnuTLS

/// A one-time activation code, handed to a person instead of a password typed by someone else:
/// 20 characters from an alphabet without look-alikes (about 98 random bits), shown in groups of
/// four (`K7QM-…`). The database keeps only ``digest`` (SHA-256 of the normalised code); the
/// code's entropy makes a slow hash unnecessary.
public struct ActivationCode: Sendable, Hashable {
    /// The alphabet: digits and uppercase letters without 0, 1, I, L, O, U.
    static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    static let length = 20

    /// The code as typed, normalised: uppercase, without separators.
    public let normalised: String

    /// The code as shown to its holder: groups of four separated by hyphens.
    public var text: String {
        stride(from: 0, to: normalised.count, by: 4).map { start -> String in
            let from = normalised.index(normalised.startIndex, offsetBy: start)
            return String(normalised[from..<normalised.index(from, offsetBy: 4)])
        }.joined(separator: "-")
    }

    /// A new random code.
    ///
    /// - Throws: ``AccountsError/Code/crypto``.
    public static func generate() throws(AccountsError) -> ActivationCode {
        var characters: [UInt8] = []
        while characters.count < length {
            // Rejection sampling: bytes below the largest multiple of the alphabet's size only.
            for byte in try RandomText.bytes(32) where Int(byte) < 240 && characters.count < length {
                characters.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        return ActivationCode(normalised: String(decoding: characters, as: UTF8.self))
    }

    /// The code typed as `text` (case, spaces and hyphens aside); nil unless it has exactly the
    /// code's length in the alphabet.
    public init?(_ text: String) {
        let bytes = Array(text.uppercased().utf8).filter { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: " ") }
        guard bytes.count == Self.length, bytes.allSatisfy(Self.alphabet.contains) else { return nil }
        self.normalised = String(decoding: bytes, as: UTF8.self)
    }

    private init(normalised: String) {
        self.normalised = normalised
    }

    /// SHA-256 of the normalised code, what the database holds.
    ///
    /// - Throws: ``AccountsError/Code/crypto``.
    public func digest() throws(AccountsError) -> [UInt8] {
        do {
            return try Digest.hash(.sha256, of: Array(normalised.utf8))
        } catch {
            throw AccountsError(.crypto, "hashing the activation code failed")
        }
    }

    /// A code no account has, for the equal work of a malformed attempt.
    static let absent = ActivationCode(normalised: String(repeating: "2", count: length))
}
