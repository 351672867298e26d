/// The client's own certificate is inside its validity period at the time of the check.
///
/// ``TrustChainPolicy`` already checks every certificate of the chain; this check states the
/// leaf's dates on their own, against the check's clock, and is what a resumed session is held to.
/// Refuses with ``ClientCertificateRefusal/expired`` or ``ClientCertificateRefusal/notYetValid``.
public struct ValidityPeriodPolicy: ClientCertificatePolicy {
    /// Makes the policy.
    public init() {}

    public var name: String { "validity-period" }

    public func check(_ certificate: PresentedCertificate) -> ClientCertificateRefusal? {
        let leaf = certificate.leaf
        if certificate.now < leaf.notBefore { return .notYetValid }
        if certificate.now > leaf.notAfter { return .expired }
        return nil
    }
}
