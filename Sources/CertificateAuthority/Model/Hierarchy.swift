public import GnuTLS

/// One chain of authority of the platform PKI: a root CA (offline) and the issuing CA under it,
/// both with keys of one algorithm. ECDSA P-256 is the default; the GOST hierarchy
/// (GOST R 34.10-2012-256) serves GOST workstations.
public enum Hierarchy: String, Sendable, Hashable, CaseIterable, Codable {
    /// ECDSA P-256 root and issuing CA.
    case ecdsa
    /// GOST R 34.10-2012-256 root and issuing CA.
    case gost

    /// The algorithm of this hierarchy's CA keys.
    public var algorithm: SignatureAlgorithm {
        switch self {
        case .ecdsa: .ecdsaP256
        case .gost: .gost256
        }
    }

    /// The hierarchy that certifies keys of `algorithm`: GOST keys are issued by the GOST issuing
    /// CA, ECDSA P-256 and Ed25519 keys by the ECDSA one.
    public static func certifying(_ algorithm: SignatureAlgorithm) -> Hierarchy {
        algorithm == .gost256 ? .gost : .ecdsa
    }
}

/// The key types the platform issues certificates for, with their stable inventory names.
public enum KeyType: String, Sendable, Hashable, CaseIterable, Codable {
    /// ECDSA over NIST P-256 (the default).
    case ecdsaP256 = "ecdsa-p256"
    /// GOST R 34.10-2012 with a 256-bit key.
    case gost256 = "gost256"
    /// Ed25519 (client keys only; issued by the ECDSA hierarchy).
    case ed25519 = "ed25519"

    /// The signature algorithm of keys of this type.
    public var algorithm: SignatureAlgorithm {
        switch self {
        case .ecdsaP256: .ecdsaP256
        case .gost256: .gost256
        case .ed25519: .ed25519
        }
    }

    /// The type of keys of `algorithm`.
    public init(_ algorithm: SignatureAlgorithm) {
        switch algorithm {
        case .ecdsaP256: self = .ecdsaP256
        case .gost256: self = .gost256
        case .ed25519: self = .ed25519
        }
    }
}
