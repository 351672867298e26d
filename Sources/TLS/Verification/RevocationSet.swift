public import GnuTLS

/// The revoked certificates, as a hash set of ``RevocationKey``: membership costs one lookup,
/// however many entries the CRLs have. Also remembers, per CRL issuer, until when its CRL is
/// current (its nextUpdate), so a stale CRL can be told from a fresh one.
public struct RevocationSet: Sendable, Hashable {
    private var keys: Set<RevocationKey>
    /// The latest nextUpdate of the CRLs of each issuer (its distinguished name, DER).
    private var nextUpdates: [[UInt8]: Int]

    /// No revocations, and no CRL whose freshness matters.
    public static let empty = RevocationSet(keys: [])

    /// A set of the given keys; `nextUpdates` maps an issuer's distinguished name (DER) to the
    /// nextUpdate (seconds since 1970, UTC) of its CRL.
    public init(keys: Set<RevocationKey>, nextUpdates: [[UInt8]: Int] = [:]) {
        self.keys = keys
        self.nextUpdates = nextUpdates
    }

    /// Reads every CRL, refusing the lot (throws ``X509Error/Code/revocationListNotTrusted``) when
    /// any of them is not signed by an authority of `trustStore`. A CRL past its nextUpdate is
    /// read like any other; ``isStale(issuer:at:)`` says it is stale.
    public init(revocationLists: [CertificateRevocationList], trustedBy trustStore: TrustStore) throws(X509Error) {
        var keys = Set<RevocationKey>()
        var nextUpdates: [[UInt8]: Int] = [:]
        for list in revocationLists {
            guard trustStore.isTrustedIssuer(of: list) else { throw X509Error(.revocationListNotTrusted) }
            let issuer = list.rawIssuer
            if let nextUpdate = list.nextUpdate { nextUpdates[issuer] = max(nextUpdates[issuer] ?? nextUpdate, nextUpdate) }
            let serials = try list.revokedSerialNumbers()
            keys.reserveCapacity(keys.count + serials.count)
            for serial in serials { keys.insert(RevocationKey(issuer: issuer, serial: serial)) }
        }
        self.keys = keys
        self.nextUpdates = nextUpdates
    }

    /// Whether `key` is revoked.
    public func contains(_ key: RevocationKey) -> Bool { self.keys.contains(key) }

    /// How many certificates are revoked.
    public var count: Int { self.keys.count }

    /// The nextUpdate of the CRL of `issuer` (distinguished name, DER); `nil` when the set has no
    /// CRL of that issuer, or its CRL names no nextUpdate.
    public func nextUpdate(ofIssuer issuer: [UInt8]) -> Int? { self.nextUpdates[issuer] }

    /// Whether the CRL of `issuer` is past its nextUpdate at `now` (seconds since 1970, UTC).
    /// `false` for an issuer without a CRL here, or whose CRL names no nextUpdate.
    public func isStale(issuer: [UInt8], at now: Int) -> Bool {
        guard let nextUpdate = self.nextUpdates[issuer] else { return false }
        return now > nextUpdate
    }

    /// Until when the CRLs that cover `chain` (those of the issuers of its certificates) are all
    /// current: the earliest of their nextUpdates; `nil` when no CRL here covers the chain.
    public func current(until chain: [X509Certificate]) -> Int? {
        chain.compactMap { self.nextUpdates[$0.rawIssuer] }.min()
    }

    /// The earliest nextUpdate of all CRLs in the set; `nil` when none names one.
    public var earliestNextUpdate: Int? { self.nextUpdates.values.min() }
}
