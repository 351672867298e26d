public import GnuTLS

/// Why a client certificate was refused. The ``code`` is what the log line and the audit record
/// name; nothing else about the client is reported.
public enum ClientCertificateRefusal: String, Error, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The listener requires a certificate and the client sent none.
    case noCertificate = "no-certificate"
    /// The chain does not lead to an authority in the CA bundle (this includes self-signed
    /// certificates and certificates of another CA).
    case unknownIssuer = "unknown-issuer"
    /// A certificate in the chain has expired.
    case expired = "expired"
    /// A certificate in the chain is not valid yet.
    case notYetValid = "not-yet-valid"
    /// The certificate, or a CA above it, is listed in the CRL.
    case revoked = "revoked"
    /// The CRL of the certificate's issuer is past its nextUpdate: revocation cannot be checked,
    /// so the certificate is refused until a fresh CRL is in force (fail closed).
    case crlExpired = "crl-expired"
    /// No CRL of an issuer of the chain (up to the root) is in force: revocation cannot be
    /// checked, so the certificate is refused (fail closed). The material normally refuses to load
    /// without a CRL for every CA of its bundle; this catches an issuer from outside the bundle.
    case crlMissing = "crl-missing"
    /// The certificate is not for TLS client authentication (no `clientAuth` extended key usage,
    /// no digital signature key usage, or it is a CA certificate).
    case wrongUsage = "wrong-usage"
    /// The chain verifies but names no known `bilet://` identity (or more than one).
    case noIdentity = "no-identity"
    /// The chain is broken in another way: a bad signature, an insecure algorithm, an issuer that
    /// is not a CA, a violated constraint or an unknown critical extension.
    case invalidChain = "invalid-chain"

    /// The stable code, e.g. `revoked`.
    public var code: String { self.rawValue }

    public var description: String { self.rawValue }

    /// The TLS alert that tells the client why.
    public var alert: TLSAlert {
        switch self {
        case .noCertificate: .certificateRequired
        case .unknownIssuer: .unknownCA
        case .expired: .certificateExpired
        case .notYetValid, .invalidChain: .badCertificate
        case .revoked: .certificateRevoked
        case .wrongUsage, .crlExpired, .crlMissing: .certificateUnknown
        case .noIdentity: .accessDenied
        }
    }
}
