/// No certificate of the chain, nor any authority above it up to the root, is in the revocation
/// set (one hash lookup per certificate, whatever the size of the CRL), and the CRLs that speak for
/// them are present and current.
///
/// The certificates checked are ``PresentedCertificate/path``: the chain as sent, completed from the
/// gateway's own trust store up to the root, so revoking an issuing CA in its root's CRL takes
/// effect even for clients that send only their leaf.
///
/// Refuses with ``ClientCertificateRefusal/revoked`` when a certificate of the path is listed,
/// then with ``ClientCertificateRefusal/crlMissing`` when the set holds no CRL of the issuer of a
/// certificate of the path (``RevocationSet/covers(issuer:keyIdentifier:)``: its name and the key that signed it), and otherwise with
/// ``ClientCertificateRefusal/crlExpired`` when such a CRL is past its nextUpdate at the time of the
/// check: a missing or stale CRL cannot vouch that nothing was revoked, so the gateway fails closed.
public struct RevocationPolicy: ClientCertificatePolicy {
    /// The revoked (issuer, serial) pairs.
    public let revocations: RevocationSet

    /// Makes the policy.
    public init(revocations: RevocationSet) {
        self.revocations = revocations
    }

    public var name: String { "revocation" }

    public func check(_ certificate: PresentedCertificate) -> ClientCertificateRefusal? {
        for element in certificate.path {
            // An unreadable serial (read as empty) could match no CRL entry: refuse rather than pass it.
            let serial = element.serialNumber
            if serial.isEmpty { return .invalidChain }
            if self.revocations.contains(RevocationKey(issuer: element.rawIssuer, serial: serial)) { return .revoked }
        }
        for element in certificate.path
        where !self.revocations.covers(issuer: element.rawIssuer, keyIdentifier: element.authorityKeyIdentifier) {
            return .crlMissing
        }
        for element in certificate.path
        where self.revocations.isStale(issuer: element.rawIssuer, keyIdentifier: element.authorityKeyIdentifier, at: certificate.now) {
            return .crlExpired
        }
        return nil
    }
}
