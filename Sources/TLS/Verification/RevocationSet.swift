public import GnuTLS

/// The revoked certificates, as a hash set of ``RevocationKey``: membership costs one lookup,
/// however many entries the CRLs have. Also remembers, per CRL issuer, which CRL is in force (its
/// number, thisUpdate and digest: ``RevocationListVersion``) and until when it is current (its
/// nextUpdate), so a stale CRL can be told from a fresh one and an older CRL from a newer one.
public struct RevocationSet: Sendable, Hashable {
    private var keys: Set<RevocationKey>
    /// The latest nextUpdate of the CRLs of each issuer (its distinguished name, DER).
    private var nextUpdates: [[UInt8]: Int]
    /// The CRL in force for each issuer (distinguished name, DER).
    public private(set) var versions: [[UInt8]: RevocationListVersion]
    /// Whether every issuer of a chain must have a CRL here (``covers(issuer:)``): true for a set
    /// read from CRLs, false for ``empty`` and sets made from keys (material without a CRL file).
    public let requiresCoverage: Bool

    /// No revocations, and no CRL whose freshness matters.
    public static let empty = RevocationSet(keys: [])

    /// A set of the given keys; `nextUpdates` maps an issuer's distinguished name (DER) to the
    /// nextUpdate (seconds since 1970, UTC) of its CRL.
    public init(keys: Set<RevocationKey>, nextUpdates: [[UInt8]: Int] = [:]) {
        self.keys = keys
        self.nextUpdates = nextUpdates
        self.versions = [:]
        self.requiresCoverage = false
    }

    /// Reads every CRL, refusing the lot (throws ``X509Error/Code/revocationListNotTrusted``) when
    /// any of them is not signed by an authority of `trustStore`. When a file holds several CRLs of
    /// one issuer, only the newest (highest CRL number, then latest thisUpdate) is in force. A CRL
    /// past its nextUpdate is read like any other; ``isStale(issuer:at:)`` says it is stale.
    public init(revocationLists: [CertificateRevocationList], trustedBy trustStore: TrustStore) throws(X509Error) {
        var newest: [[UInt8]: (CertificateRevocationList, RevocationListVersion)] = [:]
        for list in revocationLists {
            guard trustStore.isTrustedIssuer(of: list) else { throw X509Error(.revocationListNotTrusted) }
            let version = RevocationListVersion(list)
            if let current = newest[list.rawIssuer], !version.isNewer(than: current.1) { continue }
            newest[list.rawIssuer] = (list, version)
        }
        var keys = Set<RevocationKey>()
        var nextUpdates: [[UInt8]: Int] = [:]
        var versions: [[UInt8]: RevocationListVersion] = [:]
        for (issuer, (list, version)) in newest {
            versions[issuer] = version
            if let nextUpdate = list.nextUpdate { nextUpdates[issuer] = nextUpdate }
            let serials = try list.revokedSerialNumbers()
            keys.reserveCapacity(keys.count + serials.count)
            for serial in serials { keys.insert(RevocationKey(issuer: issuer, serial: serial)) }
        }
        self.keys = keys
        self.nextUpdates = nextUpdates
        self.versions = versions
        self.requiresCoverage = true
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

    /// Whether certificates of `issuer` (distinguished name, DER) can be checked: the set has a CRL
    /// of that issuer, or it does not require one (``requiresCoverage``).
    public func covers(issuer: [UInt8]) -> Bool { !self.requiresCoverage || self.versions[issuer] != nil }

    /// Until when the CRLs that cover `chain` (those of the issuers of its certificates) are all
    /// current: the earliest of their nextUpdates; `nil` when no CRL here covers the chain.
    public func current(until chain: [X509Certificate]) -> Int? {
        chain.compactMap { self.nextUpdates[$0.rawIssuer] }.min()
    }

    /// Until when the CRLs of `issuers` (distinguished names, DER) are all current: the earliest
    /// of their nextUpdates; `nil` when no CRL here is of one of them.
    public func current(untilIssuers issuers: [[UInt8]]) -> Int? {
        issuers.compactMap { self.nextUpdates[$0] }.min()
    }

    /// The earliest nextUpdate of all CRLs in the set; `nil` when none names one.
    public var earliestNextUpdate: Int? { self.nextUpdates.values.min() }

    /// The first issuer whose CRL here would roll back the one in force in `previous`: a lower CRL
    /// number, the same number with other contents, or an earlier thisUpdate. `nil` when every CRL
    /// here is the one in force or newer (the same CRL again is not a rollback).
    public func rollback(from previous: RevocationSet) -> (offered: RevocationListVersion, inForce: RevocationListVersion)? {
        for (issuer, offered) in self.versions {
            guard let inForce = previous.versions[issuer], offered != inForce else { continue }
            if !offered.isNewer(than: inForce) { return (offered, inForce) }
        }
        return nil
    }
}

/// Which CRL of an issuer is meant: its number, thisUpdate and SHA-256, with the issuer's name for
/// logs (a CA's name, never personal data).
public struct RevocationListVersion: Sendable, Hashable {
    /// The CRL number extension, if the CRL has one.
    public let number: UInt64?
    /// When it was issued, seconds since 1970 (UTC).
    public let thisUpdate: Int
    /// The SHA-256 of its DER encoding.
    public let digest: [UInt8]
    /// The issuer's distinguished name, RFC 4514 text.
    public let issuerName: String

    /// The version of `list`.
    public init(_ list: CertificateRevocationList) {
        self.number = list.number
        self.thisUpdate = list.thisUpdate
        self.digest = CertificateFingerprint.sha256(list.der) ?? []
        self.issuerName = list.issuerName
    }

    /// Whether this CRL may replace `other` (of the same issuer): a higher number (or, when either
    /// has none, a later thisUpdate), and a thisUpdate not earlier than `other`'s.
    public func isNewer(than other: RevocationListVersion) -> Bool {
        guard self.thisUpdate >= other.thisUpdate else { return false }
        if let mine = self.number, let theirs = other.number { return mine > theirs }
        return self.thisUpdate > other.thisUpdate
    }

    /// The number as text for logs (`none` without one).
    public var numberText: String { self.number.map { String($0) } ?? "none" }
}
