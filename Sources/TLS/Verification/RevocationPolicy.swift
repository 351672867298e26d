/// No certificate of the chain is in the revocation set (one hash lookup per certificate,
/// whatever the size of the CRL), and the CRLs that speak for the chain are current.
///
/// Refuses with ``ClientCertificateRefusal/revoked`` when a certificate of the chain is listed,
/// and otherwise with ``ClientCertificateRefusal/crlExpired`` when the CRL of the issuer of a
/// certificate of the chain is past its nextUpdate at the time of the check: a stale CRL cannot
/// vouch that nothing was revoked since, so the gateway fails closed until a fresh CRL arrives.
/// A certificate whose issuer has no CRL in the set is not held to any.
public struct RevocationPolicy: ClientCertificatePolicy {
    /// The revoked (issuer, serial) pairs.
    public let revocations: RevocationSet

    /// Makes the policy.
    public init(revocations: RevocationSet) {
        self.revocations = revocations
    }

    public var name: String { "revocation" }

    public func check(_ certificate: PresentedCertificate) -> ClientCertificateRefusal? {
        for element in certificate.chain {
            // An unreadable serial (read as empty) could match no CRL entry: refuse rather than pass it.
            let serial = element.serialNumber
            if serial.isEmpty { return .invalidChain }
            if self.revocations.contains(RevocationKey(issuer: element.rawIssuer, serial: serial)) { return .revoked }
        }
        for element in certificate.chain where self.revocations.isStale(issuer: element.rawIssuer, at: certificate.now) {
            return .crlExpired
        }
        return nil
    }
}
