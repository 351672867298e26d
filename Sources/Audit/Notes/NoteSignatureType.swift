public import GnuTLS

/// A signature type of the C2SP signed-note format (c2sp.org/signed-note), with the bytes that
/// identify it in key IDs and verifier keys.
///
/// - ``ed25519``: type `0x01`, Ed25519 over the note text; public key as 32 raw bytes.
/// - ``ed25519Cosignature``: type `0x04`, a timestamped Ed25519 witness cosignature
///   (c2sp.org/tlog-cosignature): the signed message is `cosignature/v1\ntime <t>\n` followed by
///   the note text, the signature is `u64 timestamp || 64-byte signature`.
/// - ``gost256``: GOST R 34.10-2012 (256-bit key, Streebog-256) over the note text. The spec
///   assigns no byte to GOST; `0xfa`–`0xfe` are reserved for the spec's own future use, and
///   `0xff` is the byte it reserves for types without an assigned identifier, to be followed by
///   a longer identifier. bilet therefore identifies it as `0xff || "bilet/gost3410-2012-256"`,
///   with the public key as its DER SubjectPublicKeyInfo. Verifiers that do not know it ignore
///   such signatures, as the spec requires.
public enum NoteSignatureType: Sendable, Hashable, CaseIterable {
    /// Ed25519 (`0x01`).
    case ed25519
    /// Timestamped Ed25519 witness cosignature (`0x04`).
    case ed25519Cosignature
    /// GOST R 34.10-2012-256 with Streebog-256 (`0xff || "bilet/gost3410-2012-256"`).
    case gost256

    /// The bytes that stand for the type in key IDs and verifier keys.
    public var identifier: [UInt8] {
        switch self {
        case .ed25519: [0x01]
        case .ed25519Cosignature: [0x04]
        case .gost256: [0xFF] + Array("bilet/gost3410-2012-256".utf8)
        }
    }

    /// The key algorithm the type signs with.
    public var keyAlgorithm: SignatureAlgorithm {
        switch self {
        case .ed25519, .ed25519Cosignature: .ed25519
        case .gost256: .gost256
        }
    }

    /// The type whose identifier starts `bytes`, and the length of that identifier.
    static func parse(prefixOf bytes: [UInt8]) -> (NoteSignatureType, Int)? {
        for type in allCases where bytes.starts(with: type.identifier) {
            return (type, type.identifier.count)
        }
        return nil
    }

    /// The public key bytes as this type encodes them (raw 32 bytes for Ed25519, SPKI DER for GOST).
    func encode(_ key: PublicKey) throws(AuditError) -> [UInt8] {
        switch self {
        case .ed25519, .ed25519Cosignature:
            let der = key.derRepresentation
            guard key.algorithm == .ed25519, der.count == 44, der.starts(with: Self.ed25519SPKIPrefix) else {
                throw AuditError(.malformedKey, "not an Ed25519 public key")
            }
            return Array(der.suffix(32))
        case .gost256:
            guard key.algorithm == .gost256 else { throw AuditError(.malformedKey, "not a GOST R 34.10-2012-256 public key") }
            return key.derRepresentation
        }
    }

    /// The public key from this type's encoding.
    func decode(_ bytes: [UInt8]) throws(AuditError) -> PublicKey {
        do {
            switch self {
            case .ed25519, .ed25519Cosignature:
                guard bytes.count == 32 else { throw AuditError(.malformedKey, "an Ed25519 key has 32 bytes") }
                let key = try PublicKey(derRepresentation: Self.ed25519SPKIPrefix + bytes)
                guard key.algorithm == .ed25519 else { throw AuditError(.malformedKey, "not an Ed25519 key") }
                return key
            case .gost256:
                let key = try PublicKey(derRepresentation: bytes)
                guard key.algorithm == .gost256 else { throw AuditError(.malformedKey, "not a GOST R 34.10-2012-256 key") }
                return key
            }
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(.malformedKey, "public key does not decode")
        }
    }

    /// SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410): SEQUENCE, AlgorithmIdentifier
    /// id-Ed25519 (1.3.101.112), BIT STRING of 32 bytes.
    static let ed25519SPKIPrefix: [UInt8] = [
        0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00,
    ]
}
