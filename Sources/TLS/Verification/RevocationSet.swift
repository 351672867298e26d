public import GnuTLS

/// The revoked certificates, as a hash set of ``RevocationKey``: membership costs one lookup,
/// however many entries the CRLs have.
public struct RevocationSet: Sendable, Hashable {
    private var keys: Set<RevocationKey>

    /// No revocations.
    public static let empty = RevocationSet(keys: [])

    /// A set of the given keys.
    public init(keys: Set<RevocationKey>) {
        self.keys = keys
    }

    /// Reads every CRL, refusing the lot (throws ``X509Error/Code/revocationListNotTrusted``) when
    /// any of them is not signed by an authority of `trustStore`.
    public init(revocationLists: [CertificateRevocationList], trustedBy trustStore: TrustStore) throws(X509Error) {
        var keys = Set<RevocationKey>()
        for list in revocationLists {
            guard trustStore.isTrustedIssuer(of: list) else { throw X509Error(.revocationListNotTrusted) }
            let issuer = list.rawIssuer
            let serials = try list.revokedSerialNumbers()
            keys.reserveCapacity(keys.count + serials.count)
            for serial in serials { keys.insert(RevocationKey(issuer: issuer, serial: serial)) }
        }
        self.keys = keys
    }

    /// Whether `key` is revoked.
    public func contains(_ key: RevocationKey) -> Bool { self.keys.contains(key) }

    /// How many certificates are revoked.
    public var count: Int { self.keys.count }
}
