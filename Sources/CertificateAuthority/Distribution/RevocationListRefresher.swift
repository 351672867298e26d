public import Logging
public import ServiceLifecycle

/// Keeps every hierarchy's CRL fresh in a process that holds the issuing CA, so gateways never
/// end up with a CRL past its nextUpdate (which they refuse to rely on: `crl-expired`), and
/// revokes renewed certificates as `superseded` once their overlap with the successor has passed
/// (``CertificateAuthority/supersedeRenewedCertificates()``, at every look, so within
/// `checkInterval` of the overlap's end).
///
/// At start, and then whenever the newest CRL of a hierarchy has less than the refresh fraction
/// of its validity left (one third by default), it re-signs that CRL through
/// ``CertificateAuthority/refreshRevocationLists(refreshFraction:)``: stored in
/// `ca.revocation_lists` and pushed through PostgreSQL LISTEN/NOTIFY exactly as a revocation's CRL,
/// so every ``RevocationListSubscriber`` applies it within moments. A CRL that is missing or
/// already stale at start is re-signed at once. Between refreshes it wakes at least every
/// `checkInterval` to see CRLs published by others (a revocation resets the schedule). Several
/// processes may run it at once: the publication lock makes each due CRL published once.
///
/// A failed refresh (database away) is logged and retried after `retryInterval`. A service for a
/// `ServiceGroup`; it ends on graceful shutdown or cancellation.
public struct RevocationListRefresher: Service {
    private let authority: CertificateAuthority
    private let refreshFraction: Double
    private let checkInterval: Duration
    private let retryInterval: Duration
    private let logger: Logger

    /// Makes the refresher.
    ///
    /// - Parameters:
    ///   - authority: the CA with its unsealed issuing CAs and its `bilet_ca` pool; its
    ///     ``CertificateAuthority/revocationListLifetime`` is the lifetime of the CRLs it signs.
    ///   - refreshFraction: re-sign when less than this fraction of a CRL's validity remains;
    ///     more than 0 and less than 1.
    ///   - checkInterval: the longest it sleeps between looks at the stored CRLs.
    ///   - retryInterval: how long it waits after a failed refresh.
    /// - Throws: ``CertificateAuthorityError/Code/invalidArgument`` for a fraction out of range or
    ///   a non-positive interval, ``CertificateAuthorityError/Code/hierarchyUnavailable`` when the
    ///   authority holds no issuing CA.
    public init(
        authority: CertificateAuthority, refreshFraction: Double = PublishedRevocationList.defaultRefreshFraction,
        checkInterval: Duration = .seconds(300), retryInterval: Duration = .seconds(5), logger: Logger
    ) throws(CertificateAuthorityError) {
        guard refreshFraction > 0, refreshFraction < 1 else {
            throw CertificateAuthorityError(.invalidArgument, "the refresh fraction must be between 0 and 1")
        }
        guard checkInterval > .zero, retryInterval > .zero else {
            throw CertificateAuthorityError(.invalidArgument, "intervals must be positive")
        }
        guard !authority.issuers.isEmpty else { throw CertificateAuthorityError(.hierarchyUnavailable, "no issuing CA loaded") }
        self.authority = authority
        self.refreshFraction = refreshFraction
        self.checkInterval = checkInterval
        self.retryInterval = retryInterval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let pause: Duration
                do throws(CertificateAuthorityError) {
                    pause = try await self.refreshOnce()
                } catch {
                    self.logger.warning(
                        "crl refresh failed; retrying",
                        metadata: ["error.code": "\(error.code.rawValue)", "retry_in_ms": "\(Self.milliseconds(self.retryInterval))"])
                    pause = self.retryInterval
                }
                do { try await Task.sleep(for: pause) } catch { break }
            }
        }
    }

    /// One refresh; answers how long to sleep before the next look. Revokes renewed certificates
    /// whose overlap has passed first (``CertificateAuthority/supersedeRenewedCertificates()``).
    func refreshOnce() async throws(CertificateAuthorityError) -> Duration {
        // a failure here must not keep the CRLs from being refreshed below (stale CRLs refuse everyone)
        do throws(CertificateAuthorityError) {
            for record in try await self.authority.supersedeRenewedCertificates() {
                self.logger.info(
                    "certificate superseded by its renewal; revoked",
                    metadata: ["certificate.serial": "\(record.serial)", "certificate.profile": "\(record.profile.rawValue)"])
            }
        } catch {
            self.logger.warning("superseding renewed certificates failed; retried at the next look", metadata: ["error.code": "\(error.code.rawValue)"])
        }
        let refresh = try await self.authority.refreshRevocationLists(refreshFraction: self.refreshFraction)
        for list in refresh.published {
            self.logger.info(
                "crl refreshed",
                metadata: [
                    "crl.hierarchy": "\(list.hierarchy.rawValue)", "crl.number": "\(list.number)",
                    "crl.revoked": "\(list.revokedCount)", "crl.next_update": "\(Int(list.nextUpdate.timeIntervalSince1970))",
                ])
        }
        let now = Double(self.authority.clock())
        guard let due = refresh.newest.map({ $0.refreshDue(refreshFraction: self.refreshFraction) }).min() else {
            return self.checkInterval
        }
        // the clock counts whole seconds: wake just after the moment it is due, never in a busy loop
        let untilDue = Duration.milliseconds(Int64(max(0.25, due - now + 0.05) * 1000))
        return min(untilDue, self.checkInterval)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
