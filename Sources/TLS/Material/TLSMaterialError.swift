/// Why TLS material could not be loaded. Names the file's role and path (configuration, not
/// personal data) and a stable code; never the file's contents (a CA's name may be in the detail).
public struct TLSMaterialError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable, matchable reasons.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The file could not be read.
        case unreadable = "unreadable"
        /// A server certificate chain or key does not parse, or they do not match.
        case invalidKeyPair = "invalid-key-pair"
        /// The client CA bundle is empty or does not parse.
        case invalidCABundle = "invalid-ca-bundle"
        /// The CRL does not parse.
        case invalidRevocationList = "invalid-crl"
        /// The CRL is not signed by an authority of the CA bundle.
        case untrustedRevocationList = "untrusted-crl"
        /// An authority of the CA bundle has no CRL in the CRL file; the detail names it.
        case missingRevocationList = "crl-missing"
        /// A CRL would replace the one in force for its issuer by an older one (a lower CRL number,
        /// the same number with other contents, or an earlier thisUpdate); the detail names the
        /// issuer and both numbers.
        case revocationListRollback = "crl-rollback"
        /// The ticket key is not 64 bytes (raw or base64).
        case invalidTicketKey = "invalid-ticket-key"
        /// A listener needs a kind of server key pair that the material does not have (GOST).
        case missingKeyPair = "missing-key-pair"
    }

    /// The reason.
    public let code: Code
    /// The role of the file, e.g. `crl` or `server-key-1`.
    public let role: String
    /// The file's path.
    public let path: String
    /// The underlying library error's description (a code name, never data).
    public let detail: String?

    /// Makes an error.
    public init(_ code: Code, role: String, path: String, detail: String? = nil) {
        self.code = code
        self.role = role
        self.path = path
        self.detail = detail
    }

    public var description: String {
        "tls material \(self.code.rawValue): \(self.role) at \(self.path)" + (self.detail.map { " (\($0))" } ?? "")
    }
}
