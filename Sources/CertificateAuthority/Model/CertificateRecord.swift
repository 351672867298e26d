public import Foundation
public import GnuTLS

/// One certificate of the inventory (`ca.certificates`): what was issued, to whom, with which key
/// type, for how long, and whether it still stands.
public struct CertificateRecord: Sendable, Hashable, Codable {
    /// Whether a certificate stands, as stored.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Issued and not revoked (it may have expired: see ``CertificateRecord/state(at:)``).
        case active
        /// Revoked.
        case revoked
    }

    /// The state shown to administrators: `expired` is an active certificate past its `notAfter`.
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case active
        case expired
        case revoked
    }

    /// Lowercase hexadecimal serial number (``SerialNumber/hex(_:)``).
    public let serial: String
    /// The issuing hierarchy.
    public let hierarchy: Hierarchy
    /// The profile.
    public let profile: CertificateProfile
    /// `kind/id` of the organisation (`school/77-1234`) for workstation certificates.
    public let organisation: String?
    /// The identity URI (`bilet://…`), or `dns:`/`ip:` for server certificates.
    public let identity: String
    /// The key type.
    public let keyType: KeyType
    /// Start of validity.
    public let notBefore: Date
    /// End of validity.
    public let notAfter: Date
    /// Stored status.
    public let status: Status
    /// When it was revoked.
    public let revokedAt: Date?
    /// Why it was revoked (``RevocationReason/name``).
    public let revocationReason: String?
    /// The serial of the certificate this one renewed.
    public let renewedFrom: String?
    /// When it was issued.
    public let issuedAt: Date
    /// Who issued it: an administrator's identifier, or the renewing principal.
    public let issuedBy: String

    /// The state at `now`.
    public func state(at now: Date) -> State {
        if self.status == .revoked { return .revoked }
        return now >= self.notAfter ? .expired : .active
    }
}

/// What ``CertificateAuthority/certificates(matching:)`` selects. Every criterion given must hold.
public struct InventoryFilter: Sendable, Hashable {
    /// `kind/id` (`school/77-1234`), or just the id (`77-1234`) for any kind.
    public var organisation: String?
    /// Only certificates in this state.
    public var state: CertificateRecord.State?
    /// Only active certificates whose `notAfter` is within this many days from now.
    public var expiringWithinDays: Int?
    /// Only certificates of this profile.
    public var profile: CertificateProfile?
    /// Only certificates of this identity.
    public var identity: String?
    /// Only certificates of this kind (root, intermediate or leaf).
    public var kind: CertificateKind?

    /// Makes a filter; no criterion selects everything.
    public init(
        organisation: String? = nil, state: CertificateRecord.State? = nil, expiringWithinDays: Int? = nil,
        profile: CertificateProfile? = nil, identity: String? = nil, kind: CertificateKind? = nil
    ) {
        self.organisation = organisation
        self.state = state
        self.expiringWithinDays = expiringWithinDays
        self.profile = profile
        self.identity = identity
        self.kind = kind
    }
}

/// A certificate just issued: the certificate, the chain to send with it, and its inventory record.
public struct IssuedCertificate: Sendable {
    /// The new certificate.
    public let certificate: X509Certificate
    /// The issuing CA's certificate (what a client sends after its own).
    public let issuer: X509Certificate
    /// The inventory record.
    public let record: CertificateRecord

    /// The certificate followed by the issuing CA certificate, PEM: what `curl --cert`,
    /// `openssl s_client -cert` and `gnutls-cli --x509certfile` load.
    public var chainPEM: String { self.certificate.pemRepresentation + self.issuer.pemRepresentation }
}

/// The outcome of a revocation: the record as revoked, the CRL published for it, and the
/// certificates renewed from it that were revoked with it.
public struct Revocation: Sendable {
    /// The certificate's record, now revoked.
    public let record: CertificateRecord
    /// The CRL that lists it.
    public let revocationList: PublishedRevocationList
    /// The live certificates renewed from it (directly or through further renewals), revoked with it.
    public let successors: [CertificateRecord]

    /// Makes the outcome.
    public init(record: CertificateRecord, revocationList: PublishedRevocationList, successors: [CertificateRecord] = []) {
        self.record = record
        self.revocationList = revocationList
        self.successors = successors
    }
}

/// A CRL stored in `ca.revocation_lists` and announced on ``RevocationPublisher/channel``.
public struct PublishedRevocationList: Sendable, Hashable {
    /// The CRL number.
    public let number: Int64
    /// The issuing hierarchy.
    public let hierarchy: Hierarchy
    /// When it was issued and when the next one is due.
    public let thisUpdate: Date
    public let nextUpdate: Date
    /// How many certificates it lists.
    public let revokedCount: Int
    /// The CRL, PEM.
    public let pem: String
}
