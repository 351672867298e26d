import GnuTLS

/// The client's certificate is meant for TLS client authentication: it has an extended key usage
/// extension that lists `clientAuth` (a certificate without the extension is refused, although
/// RFC 5280 would read it as "any purpose"), its key usage, when present, allows digital
/// signatures, and it is not a CA certificate.
///
/// Refuses with ``ClientCertificateRefusal/wrongUsage``.
public struct ClientUsagePolicy: ClientCertificatePolicy {
    /// Makes the policy.
    public init() {}

    public var name: String { "client-usage" }

    public func check(_ certificate: PresentedCertificate) -> ClientCertificateRefusal? {
        let leaf = certificate.leaf
        guard let purposes = leaf.extendedKeyUsage, purposes.contains(KeyPurpose.clientAuth) else { return .wrongUsage }
        if let usage = leaf.keyUsage, !usage.contains(.digitalSignature) { return .wrongUsage }
        if leaf.mayBeCertificateAuthority { return .wrongUsage }
        return nil
    }
}
