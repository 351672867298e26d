public import GnuTLS

/// The key that turns sensitive values (a searched SNILS, an address) into ``AuditKeyedHash``es,
/// so the audit log can show that the same value was used twice, and a holder of the key can
/// check whether a given value was, while the log itself never contains the value.
///
/// Derived from a key the caller supplies (the vault's key hierarchy) with HKDF-SHA-256
/// (salt `bilet/audit`, info `bilet audit keyed hash v1`), so it shares nothing with the keys
/// used for encryption or blind indexes. The hash is HMAC-SHA-256 over
/// `field name || 0x00 || value`: the same value under two field names gives two unrelated hashes.
public struct AuditHashKey: Sendable {
    /// The version of the source key, written into every hash so old hashes stay interpretable
    /// after rotation.
    public let version: Int
    private let key: SymmetricKey

    /// Derives the audit hashing key from `sourceKey`.
    ///
    /// - Throws: ``AuditError/Code/crypto`` when derivation fails, ``AuditError/Code/invalidArgument``
    ///   for a negative version or a source key shorter than 32 bytes.
    public init(sourceKey: SymmetricKey, version: Int) throws(AuditError) {
        guard version >= 0 else { throw AuditError(.invalidArgument, "key version must not be negative") }
        guard sourceKey.byteCount >= 32 else { throw AuditError(.invalidArgument, "the source key must have at least 32 bytes") }
        do {
            key = try HKDF.deriveKey(
                inputKeyMaterial: sourceKey, salt: Array("bilet/audit".utf8),
                info: Array("bilet audit keyed hash v1".utf8), outputByteCount: 32)
        } catch {
            throw AuditError(.crypto, "deriving the audit hash key failed (\(error.code.rawValue))")
        }
        self.version = version
    }

    /// The keyed hash of `value` as a value of the field called `field`.
    ///
    /// - Throws: ``AuditError/Code/crypto``.
    public func hash(_ value: String, field: String) throws(AuditError) -> AuditKeyedHash {
        let message = Array(field.utf8) + [0] + Array(value.utf8)
        do {
            let code = try HMAC.authenticationCode(for: message, using: key, algorithm: .sha256)
            return AuditKeyedHash(version: version, digest: MerkleHash(bytes: code)!)
        } catch {
            throw AuditError(.crypto, "keyed hash failed (\(error.code.rawValue))")
        }
    }
}

/// A keyed hash of a sensitive value as the audit log stores it: `k<version>:<64 hex digits>`.
public struct AuditKeyedHash: Sendable, Hashable, CustomStringConvertible {
    /// The hash key's version.
    public let version: Int
    /// The HMAC-SHA-256 output.
    public let digest: MerkleHash

    init(version: Int, digest: MerkleHash) {
        self.version = version
        self.digest = digest
    }

    /// Parses `k<version>:<hex>`; nil for anything else.
    public init?(validating text: String) {
        guard text.hasPrefix("k"), let colon = text.firstIndex(of: ":"),
              let version = Int(text[text.index(after: text.startIndex)..<colon]), version >= 0,
              let digest = MerkleHash(hex: text[text.index(after: colon)...]),
              text[text.index(after: colon)...].allSatisfy({ !$0.isUppercase })
        else { return nil }
        self.version = version
        self.digest = digest
    }

    /// `k<version>:<hex>`.
    public var description: String { "k\(version):\(digest.hex)" }
}
