import GnuTLS

/// The version of a policy set: a digest of its canonical source (schema and policy files, sorted
/// by path). Every decision carries it so the audit log can record which rules decided.
public struct PolicyVersion: Hashable, Sendable, CustomStringConvertible {
    /// The digest algorithm, e.g. `sha256`.
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

/// The platform's policy-version hasher: SHA-256 of the canonical source, through GnuTLS.
public struct SHA256VersionHasher: PolicyVersionHasher {
    /// Creates the hasher.
    public init() {}

    /// The SHA-256 digest of `bytes`, as `sha256:<64 hex digits>`.
    public func version(of bytes: [UInt8]) -> PolicyVersion {
        let digest = (try? Digest.hash(.sha256, of: bytes)) ?? []
        precondition(digest.count == 32, "SHA-256 is unavailable in GnuTLS")
        return PolicyVersion(
            algorithm: "sha256",
            digest: digest.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined())
    }
}
