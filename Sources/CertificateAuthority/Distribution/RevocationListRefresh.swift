import Foundation

/// What ``CertificateAuthority/refreshRevocationLists(refreshFraction:)`` did: the CRLs it
/// published, and the newest CRL of every loaded hierarchy afterwards (published now or before).
public struct RevocationListRefresh: Sendable, Hashable {
    /// The CRLs published by this refresh (none when every CRL was still fresh enough).
    public let published: [PublishedRevocationList]
    /// The newest CRL of each loaded hierarchy, after the refresh.
    public let newest: [PublishedRevocationList]
}

extension PublishedRevocationList {
    /// The fraction of a CRL's validity that may remain before it is re-signed: one third.
    public static let defaultRefreshFraction = 1.0 / 3.0

    /// How long this CRL is valid, in seconds (nextUpdate − thisUpdate).
    public var lifetimeSeconds: Int { Int(self.nextUpdate.timeIntervalSince1970) - Int(self.thisUpdate.timeIntervalSince1970) }

    /// When this CRL is due to be replaced: once less than `refreshFraction` of its validity
    /// remains, in seconds since 1970 (UTC). A refresh at or after this moment re-signs it.
    public func refreshDue(refreshFraction: Double) -> Double {
        self.nextUpdate.timeIntervalSince1970 - refreshFraction * Double(self.lifetimeSeconds)
    }

    /// Whether this CRL must be re-signed at `now` (seconds since 1970, UTC): less than
    /// `refreshFraction` of its validity remains, or it is already past its nextUpdate.
    public func isDue(at now: Int, refreshFraction: Double) -> Bool {
        Double(now) > self.refreshDue(refreshFraction: refreshFraction) || now >= Int(self.nextUpdate.timeIntervalSince1970)
    }
}
