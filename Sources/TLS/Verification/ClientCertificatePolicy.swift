public import GnuTLS

/// The certificate chain a client presented, as one verification sees it.
public struct PresentedCertificate: @unchecked Sendable {
    /// The chain as sent: leaf first, then any intermediates. Never empty.
    public let chain: [X509Certificate]
    /// The chain as sent, followed by the authorities of the gateway's own trust store above its
    /// last certificate, up to the root (``TrustStore/issuerPath(from:)``): what revocation is
    /// checked against, so a client that sends only its leaf is still held to the CRL of every
    /// issuer up to the root. The chain as sent when the verifier has no trust store.
    public let path: [X509Certificate]
    /// The time of the check, in seconds since 1970 (UTC).
    public let now: Int

    /// The client's own certificate.
    public var leaf: X509Certificate { self.chain[0] }

    /// Makes a candidate; `chain` must not be empty. `path` defaults to `chain`.
    public init(chain: [X509Certificate], now: Int, path: [X509Certificate]? = nil) {
        precondition(!chain.isEmpty, "a presented chain has at least the leaf")
        self.chain = chain
        self.path = path ?? chain
        self.now = now
    }
}

/// One named check of a client certificate, with its own refusal reason.
///
/// Policies are small values composed by ``ClientCertificateVerifier``, which runs them in order
/// and stops at the first refusal, so the reason reported is the first one that applies.
public protocol ClientCertificatePolicy: Sendable {
    /// A short name for logs and documentation, e.g. `trust-chain`.
    var name: String { get }
    /// `nil` when the certificate passes this check, otherwise why it is refused.
    func check(_ certificate: PresentedCertificate) -> ClientCertificateRefusal?
}
