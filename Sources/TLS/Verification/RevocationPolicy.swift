/// No certificate of the chain is in the revocation set: one hash lookup per certificate,
/// whatever the size of the CRL. Refuses with ``ClientCertificateRefusal/revoked``.
public struct RevocationPolicy: ClientCertificatePolicy {
    /// The revoked (issuer, serial) pairs.
    public let revocations: RevocationSet

    /// Makes the policy.
    public init(revocations: RevocationSet) {
        self.revocations = revocations
    }

    public var name: String { "revocation" }

    public func check(_ certificate: PresentedCertificate) -> ClientCertificateRefusal? {
        for element in certificate.chain where self.revocations.contains(RevocationKey(element)) {
            return .revoked
        }
        return nil
    }
}
