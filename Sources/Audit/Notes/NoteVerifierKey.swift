public import GnuTLS
import Foundation

/// A public key that checks signed-note signatures, with its key name and key ID
/// (c2sp.org/signed-note).
///
/// The key ID is `SHA-256(key name || 0x0A || type identifier || public key)[:4]`, read as a
/// big-endian `UInt32`. The text form (``vkey``) is the one Go's `golang.org/x/mod/sumdb/note`
/// and the transparency-dev tools read: `<name>+<key ID as 8 hex digits>+<base64(type || key)>`.
public struct NoteVerifierKey: Sendable, Hashable {
    /// The key name (for a log, its origin).
    public let name: String
    /// The signature type.
    public let type: NoteSignatureType
    /// The public key.
    public let publicKey: PublicKey
    /// The 4-byte key ID.
    public let keyID: UInt32

    /// A verifier for `publicKey` under `name`.
    ///
    /// - Throws: ``AuditError/Code/malformedKey`` for an invalid name or a key of another algorithm.
    public init(name: String, type: NoteSignatureType, publicKey: PublicKey) throws(AuditError) {
        try Self.validate(name: name)
        self.name = name
        self.type = type
        self.publicKey = publicKey
        self.keyID = Self.keyID(name: name, type: type, keyBytes: try type.encode(publicKey))
    }

    /// Parses the text form `<name>+<hex key ID>+<base64(type || key)>`.
    ///
    /// - Throws: ``AuditError/Code/malformedKey`` for anything malformed, an unknown type, or a
    ///   key ID that does not match the key.
    public init(vkey: String) throws(AuditError) {
        let parts = vkey.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].count == 8, let id = UInt32(parts[1], radix: 16),
              parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
              let material = Data(base64Encoded: String(parts[2])).map(Array.init)
        else {
            throw AuditError(.malformedKey, "a verifier key has the form name+keyid+base64key")
        }
        guard let (type, identifierLength) = NoteSignatureType.parse(prefixOf: material) else {
            throw AuditError(.malformedKey, "unknown signature type in verifier key")
        }
        try self.init(name: String(parts[0]), type: type, publicKey: try type.decode(Array(material.dropFirst(identifierLength))))
        guard keyID == id else { throw AuditError(.malformedKey, "verifier key ID does not match the key") }
    }

    /// The text form, `<name>+<hex key ID>+<base64(type || key)>`.
    public var vkey: String {
        let material = type.identifier + ((try? type.encode(publicKey)) ?? [])
        return "\(name)+\(Self.hex8(keyID))+\(Data(material).base64EncodedString())"
    }

    /// Whether `signature` (without the key ID prefix) is valid for `message` under this key.
    func isValid(signature: [UInt8], for message: [UInt8]) -> Bool {
        publicKey.isValidSignature(signature, for: message)
    }

    static func keyID(name: String, type: NoteSignatureType, keyBytes: [UInt8]) -> UInt32 {
        let digest = MerkleHasher.digest(Array(name.utf8) + [0x0A] + type.identifier + keyBytes).bytes
        return UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
    }

    /// Key names are non-empty and contain no Unicode spaces, no `+` and no control characters.
    static func validate(name: String) throws(AuditError) {
        guard !name.isEmpty,
              !name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0 == "+" || $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw AuditError(.malformedKey, "a key name is non-empty and has no spaces, plus signs or control characters")
        }
    }

    static func hex8(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    public static func == (lhs: NoteVerifierKey, rhs: NoteVerifierKey) -> Bool {
        lhs.name == rhs.name && lhs.type == rhs.type && lhs.publicKey == rhs.publicKey
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(keyID)
    }
}
