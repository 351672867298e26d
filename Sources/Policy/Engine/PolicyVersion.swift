/// The version of a policy set: a digest of its canonical source (schema and policy files, sorted
/// by path). Every decision carries it so the audit log can record which rules decided.
public struct PolicyVersion: Hashable, Sendable, CustomStringConvertible {
    /// The digest algorithm, e.g. `sha256` or `fnv1a64`.
    public var algorithm: String
    /// The digest in lower-case hex.
    public var digest: String

    /// Creates a version from an algorithm name and a hex digest.
    public init(algorithm: String, digest: String) {
        self.algorithm = algorithm
        self.digest = digest
    }

    /// `algorithm:digest`.
    public var description: String { "\(algorithm):\(digest)" }
}

/// Computes a policy set's version from its canonical source bytes.
///
/// Injected at load so the engine does not depend on a crypto library; the platform passes a
/// SHA-256 implementation (GnuTLS).
public protocol PolicyVersionHasher: Sendable {
    /// The version of the canonical source `bytes`.
    func version(of bytes: [UInt8]) -> PolicyVersion
}

/// A PLACEHOLDER hasher: 64-bit FNV-1a. It is NOT collision resistant and must not be relied on to
/// tell policy sets apart against an adversary; it only exists until the GnuTLS SHA-256 wrapper is
/// wired in. Its versions say `fnv1a64:` so an audit reader can tell them from `sha256:` ones.
public struct FNV1aPlaceholderHasher: PolicyVersionHasher {
    /// Creates the placeholder hasher.
    public init() {}

    /// The FNV-1a 64-bit digest of `bytes`, as `fnv1a64:<16 hex digits>`.
    public func version(of bytes: [UInt8]) -> PolicyVersion {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return PolicyVersion(
            algorithm: "fnv1a64", digest: String(repeating: "0", count: 16 - hex.count) + hex)
    }
}
