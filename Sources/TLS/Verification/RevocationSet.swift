public import GnuTLS

/// The revoked certificates, as a hash set of ``RevocationKey``: membership costs one lookup,
/// however many entries the CRLs have. Also remembers, per CRL issuer (its name and, when the CRL
/// says, the key that signed it: ``RevocationListIssuer``), which CRL is in force (its number,
/// thisUpdate and digest: ``RevocationListVersion``) and until when it is current (its
/// nextUpdate), so a stale CRL can be told from a fresh one, an older CRL from a newer one, and a
/// CA without a CRL from a CA with one. Two CAs of one name (an issuing CA and its replacement)
/// each keep their own CRL.
public struct RevocationSet: Sendable, Hashable {
    /// One CRL in force.
    public struct InForce: Sendable, Hashable {
        /// Which CRL it is.
        public let version: RevocationListVersion
        /// Its nextUpdate (seconds since 1970, UTC), if it names one.
        public let nextUpdate: Int?
    }

    private var keys: Set<RevocationKey>
    /// The CRLs in force, by issuer name (DER), then by signing key.
    private var lists: [[UInt8]: [RevocationListIssuer: InForce]]
    /// Whether every issuer of a chain must have a CRL here (``covers(issuer:keyIdentifier:)``):
    /// true for a set read from CRLs, false for ``empty`` and sets made from keys (material
    /// without a CRL file).
    public let requiresCoverage: Bool

    /// No revocations, and no CRL whose freshness matters.
    public static let empty = RevocationSet(keys: [])

    /// A set of the given keys; `nextUpdates` maps an issuer's distinguished name (DER) to the
    /// nextUpdate (seconds since 1970, UTC) of its CRL.
    public init(keys: Set<RevocationKey>, nextUpdates: [[UInt8]: Int] = [:]) {
        self.keys = keys
        var lists: [[UInt8]: [RevocationListIssuer: InForce]] = [:]
        for (issuer, nextUpdate) in nextUpdates {
            let version = RevocationListVersion(number: nil, thisUpdate: 0, digest: [], issuerName: "")
            lists[issuer] = [RevocationListIssuer(name: issuer, keyIdentifier: nil): InForce(version: version, nextUpdate: nextUpdate)]
        }
        self.lists = lists
        self.requiresCoverage = false
    }

    /// Reads every CRL, refusing the lot (throws ``X509Error/Code/revocationListNotTrusted``) when
    /// any of them is not signed by an authority of `trustStore`. When a file holds several CRLs of
    /// one issuer (name and signing key), only the newest (highest CRL number, then latest
    /// thisUpdate) is in force. A CRL past its nextUpdate is read like any other;
    /// ``isStale(issuer:keyIdentifier:at:)`` says it is stale.
    public init(revocationLists: [CertificateRevocationList], trustedBy trustStore: TrustStore) throws(X509Error) {
        var newest: [RevocationListIssuer: (CertificateRevocationList, RevocationListVersion)] = [:]
        for list in revocationLists {
            guard trustStore.isTrustedIssuer(of: list) else { throw X509Error(.revocationListNotTrusted) }
            let issuer = RevocationListIssuer(list)
            let version = RevocationListVersion(list)
            if let current = newest[issuer], !version.isNewer(than: current.1) { continue }
            newest[issuer] = (list, version)
        }
        var keys = Set<RevocationKey>()
        var lists: [[UInt8]: [RevocationListIssuer: InForce]] = [:]
        for (issuer, (list, version)) in newest {
            lists[issuer.name, default: [:]][issuer] = InForce(version: version, nextUpdate: list.nextUpdate)
            let serials = try list.revokedSerialNumbers()
            keys.reserveCapacity(keys.count + serials.count)
            for serial in serials { keys.insert(RevocationKey(issuer: issuer.name, serial: serial)) }
        }
        self.keys = keys
        self.lists = lists
        self.requiresCoverage = true
    }

    /// Every CRL in force, with its issuer (distinguished name, DER, and the key identifier the CRL
    /// names): what the metrics report. One name can have several lists in force, one per key.
    public var listsInForce: [(issuer: RevocationListIssuer, list: InForce)] {
        self.lists.values.flatMap { byKey in byKey.map { (issuer: $0.key, list: $0.value) } }
    }

    /// Whether `key` is revoked.
    public func contains(_ key: RevocationKey) -> Bool { self.keys.contains(key) }

    /// How many certificates are revoked.
    public var count: Int { self.keys.count }

    /// The CRLs in force, by issuer.
    public var versions: [RevocationListIssuer: RevocationListVersion] {
        var all: [RevocationListIssuer: RevocationListVersion] = [:]
        for byKey in self.lists.values { for (issuer, inForce) in byKey { all[issuer] = inForce.version } }
        return all
    }

    /// The CRL in force for certificates issued by `issuer` (name, DER) with the key
    /// `keyIdentifier` (the certificate's authority key identifier): the CRL of that name and key,
    /// else one of that name that does not say which key signed it, else (when the certificate
    /// does not say either) the latest of that name; `nil` when none applies.
    public func inForce(issuer: [UInt8], keyIdentifier: [UInt8]?) -> InForce? {
        guard let byKey = self.lists[issuer] else { return nil }
        if let keyIdentifier, let exact = byKey[RevocationListIssuer(name: issuer, keyIdentifier: keyIdentifier)] { return exact }
        if let unnamed = byKey[RevocationListIssuer(name: issuer, keyIdentifier: nil)] { return unnamed }
        if keyIdentifier == nil { return byKey.values.max { ($0.nextUpdate ?? .max) < ($1.nextUpdate ?? .max) } }
        return nil
    }

    /// The latest nextUpdate of the CRLs of `issuer` (distinguished name, DER); `nil` when the set
    /// has no CRL of that issuer, or its CRLs name no nextUpdate.
    public func nextUpdate(ofIssuer issuer: [UInt8]) -> Int? {
        self.lists[issuer]?.values.compactMap(\.nextUpdate).max()
    }

    /// Whether the CRL of `issuer` is past its nextUpdate at `now` (seconds since 1970, UTC).
    /// `false` for an issuer without a CRL here, or whose CRL names no nextUpdate.
    public func isStale(issuer: [UInt8], at now: Int) -> Bool {
        guard let nextUpdate = self.nextUpdate(ofIssuer: issuer) else { return false }
        return now > nextUpdate
    }

    /// Whether the CRL in force for certificates of `issuer` signed with `keyIdentifier` is past
    /// its nextUpdate at `now`; `false` without such a CRL or without a nextUpdate.
    public func isStale(issuer: [UInt8], keyIdentifier: [UInt8]?, at now: Int) -> Bool {
        guard let nextUpdate = self.inForce(issuer: issuer, keyIdentifier: keyIdentifier)?.nextUpdate else { return false }
        return now > nextUpdate
    }

    /// Whether certificates of `issuer` signed with `keyIdentifier` can be checked: the set has a
    /// CRL for them, or it does not require one (``requiresCoverage``).
    public func covers(issuer: [UInt8], keyIdentifier: [UInt8]?) -> Bool {
        !self.requiresCoverage || self.inForce(issuer: issuer, keyIdentifier: keyIdentifier) != nil
    }

    /// Until when the CRLs that cover `chain` (those of the issuers of its certificates) are all
    /// current: the earliest of their nextUpdates; `nil` when no CRL here covers the chain.
    public func current(until chain: [X509Certificate]) -> Int? {
        chain.compactMap { self.inForce(issuer: $0.rawIssuer, keyIdentifier: $0.authorityKeyIdentifier)?.nextUpdate }.min()
    }

    /// Until when the CRLs of `issuers` (distinguished names, DER) are all current: the earliest
    /// nextUpdate of any of their CRLs; `nil` when no CRL here is of one of them.
    public func current(untilIssuers issuers: [[UInt8]]) -> Int? {
        issuers.compactMap { self.lists[$0]?.values.compactMap(\.nextUpdate).min() }.min()
    }

    /// The earliest nextUpdate of all CRLs in the set; `nil` when none names one.
    public var earliestNextUpdate: Int? { self.lists.values.flatMap { $0.values.compactMap(\.nextUpdate) }.min() }

    /// The first issuer whose CRL here would roll back the one in force in `previous`: a lower CRL
    /// number, the same number with other contents, or an earlier thisUpdate. `nil` when every CRL
    /// here is the one in force or newer (the same CRL again is not a rollback).
    public func rollback(from previous: RevocationSet) -> (offered: RevocationListVersion, inForce: RevocationListVersion)? {
        let before = previous.versions
        for (issuer, offered) in self.versions {
            guard let inForce = before[issuer], offered != inForce else { continue }
            if !offered.isNewer(than: inForce) { return (offered, inForce) }
        }
        return nil
    }
}

/// Who issued a CRL: the issuer's name (DER) and, when the CRL has an authority key identifier,
/// the identifier of the key that signed it.
public struct RevocationListIssuer: Sendable, Hashable {
    /// The issuer's distinguished name, DER.
    public let name: [UInt8]
    /// The authority key identifier of the CRL, if it has one.
    public let keyIdentifier: [UInt8]?

    /// Makes an issuer identity.
    public init(name: [UInt8], keyIdentifier: [UInt8]?) {
        self.name = name
        self.keyIdentifier = keyIdentifier
    }

    /// The issuer of `list`.
    public init(_ list: CertificateRevocationList) {
        self.init(name: list.rawIssuer, keyIdentifier: list.authorityKeyIdentifier)
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

    /// Makes a version from its parts.
    public init(number: UInt64?, thisUpdate: Int, digest: [UInt8], issuerName: String) {
        self.number = number
        self.thisUpdate = thisUpdate
        self.digest = digest
        self.issuerName = issuerName
    }

    /// The version of `list`.
    public init(_ list: CertificateRevocationList) {
        self.init(
            number: list.number, thisUpdate: list.thisUpdate, digest: CertificateFingerprint.sha256(list.der) ?? [],
            issuerName: list.issuerName)
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
