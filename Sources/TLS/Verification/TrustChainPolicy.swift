public import GnuTLS

/// The chain leads to an authority in the CA bundle: signatures, issuers that are CAs, validity
/// periods of every certificate in the chain, and the `clientAuth` purpose wherever an extended
/// key usage extension is present (GnuTLS's chain validation).
///
/// Refuses with ``ClientCertificateRefusal/unknownIssuer`` (another CA, self-signed),
/// ``ClientCertificateRefusal/expired``, ``ClientCertificateRefusal/notYetValid``,
/// ``ClientCertificateRefusal/wrongUsage`` or ``ClientCertificateRefusal/invalidChain``.
public struct TrustChainPolicy: ClientCertificatePolicy {
    /// The authorities trusted for client certificates.
    public let trustStore: TrustStore

    /// Makes the policy.
    public init(trustStore: TrustStore) {
        self.trustStore = trustStore
    }

    public var name: String { "trust-chain" }

    public func check(_ certificate: PresentedCertificate) -> ClientCertificateRefusal? {
        let status = self.trustStore.verify(chain: certificate.chain, purpose: KeyPurpose.clientAuth)
        return Self.refusal(for: status)
    }

    /// Maps GnuTLS's status bits onto one refusal, most telling first.
    static func refusal(for status: CertificateStatus) -> ClientCertificateRefusal? {
        if status.isEmpty { return nil }
        if status.contains(.signerNotFound) { return .unknownIssuer }
        if status.contains(.expired) { return .expired }
        if status.contains(.notActivated) { return .notYetValid }
        if status.contains(.revoked) { return .revoked }
        if status.contains(.purposeMismatch) { return .wrongUsage }
        return .invalidChain
    }
}
