import Foundation
import GnuTLS
public import Logging
import NIOPosix
public import PostgreSQL
public import ServiceLifecycle
public import TLS

/// Brings the CA's CRLs to this gateway within moments of their publication: LISTENs on
/// ``RevocationPublisher/channel`` over a dedicated PostgreSQL connection, and on every
/// notification (and on every start or reconnect, to catch up) reads the newest CRL of each
/// hierarchy from `ca.revocation_lists`, merges them into the TLS material's CRL file per issuer
/// (atomically) and reloads the material: the new revocation set is in force for new handshakes
/// and live connections of newly revoked certificates are closed (``TLSMaterialStore``). Then it
/// tells the ``RevocationObserver``s.
///
/// Merging, not replacing: the file keeps the CRL of every issuer the database has nothing newer
/// for (the roots' CRLs, the initial CRL of a hierarchy nobody has published yet), so a
/// publication for one hierarchy never drops another's CRL. Every CRL is validated before it is
/// written: it must parse, be signed by a CA of the bundle in force, carry the number of its row,
/// and be newer than the CRL of its issuer already in the file (a lower number is a replay:
/// refused and logged as a warning naming the issuer and both numbers; the same CRL again is a
/// no-op). A CRL of a CA this gateway does not trust (another deployment's CA in a shared
/// database) is skipped: logged once at notice level with its issuer, then quietly at debug.
///
/// A lost connection is re-established with a growing delay (up to 30 s); CRLs published meanwhile
/// are picked up on reconnect. A reload the material store refuses keeps the previous material in
/// force; the store logs why.
///
/// A service for a `ServiceGroup`; it ends on graceful shutdown or cancellation.
public struct RevocationListSubscriber: Service {
    /// The `application_name` of the listening connection, as `pg_stat_activity` shows it.
    public static let applicationName = "bilet-crl-subscriber"

    private let configuration: PostgresConfiguration
    private let store: TLSMaterialStore
    private let revocationListPath: String
    private let observers: [any RevocationObserver]
    private let pollInterval: Duration
    private let logger: Logger

    /// Makes the subscriber.
    ///
    /// - Parameters:
    ///   - configuration: how to reach the database, as the gateway's role (`bilet_gateway`, which
    ///     may read `ca.revocation_lists`, migration 0530). Its `application_name` is replaced by
    ///     ``applicationName``.
    ///   - store: the gateway's TLS material; its files must name a CRL file.
    ///   - observers: told of newly revoked certificates (staff sessions).
    ///   - pollInterval: the longest one wait for notifications lasts (cancellation latency).
    /// - Throws: ``CertificateAuthorityError/Code/invalidArgument`` when the material has no CRL file.
    public init(
        configuration: PostgresConfiguration, store: TLSMaterialStore, observers: [any RevocationObserver] = [],
        pollInterval: Duration = .milliseconds(500), logger: Logger
    ) throws(CertificateAuthorityError) {
        guard let path = store.files.revocationList else {
            throw CertificateAuthorityError(.invalidArgument, "the TLS material has no CRL file to keep current")
        }
        var configuration = configuration
        configuration.applicationName = Self.applicationName
        self.configuration = configuration
        self.store = store
        self.revocationListPath = path
        self.observers = observers
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        defer { threadPool.shutdownGracefully { _ in } }
        await cancelWhenGracefulShutdown {
            var known = (try? Self.revocationKeys(in: ProtectedFile.readPublic(self.revocationListPath))) ?? []
            var applied: String? = nil
            var reported = Set<String>()
            var delay: Duration = .milliseconds(250)
            while !Task.isCancelled {
                var connection: PostgresConnection?
                do {
                    let opened = try await PostgresConnection.connect(
                        configuration: self.configuration, threadPool: threadPool, logger: self.logger)
                    connection = opened
                    try await opened.listen(RevocationPublisher.channel)
                    self.logger.info("crl subscriber listening", metadata: ["channel": "\(RevocationPublisher.channel)"])
                    delay = .milliseconds(250)
                    try await self.apply(from: opened, applied: &applied, known: &known, reported: &reported, reason: "catch-up")
                    while !Task.isCancelled {
                        let notifications = try await opened.notifications(waitingAtMost: self.pollInterval)
                        guard let last = notifications.last(where: { $0.channel == RevocationPublisher.channel }) else { continue }
                        try await self.apply(from: opened, applied: &applied, known: &known, reported: &reported, reason: "crl \(last.payload)")
                    }
                } catch {
                    if Task.isCancelled { break }
                    self.logger.warning(
                        "crl subscriber lost its database connection; reconnecting",
                        metadata: ["error": "\(Self.describe(error))", "retry_in_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)"])
                }
                connection?.close()
                if Task.isCancelled { break }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(30))
            }
        }
    }

    /// Reads the newest CRLs; merges those that are valid and newer into the file, and reloads.
    private func apply(
        from connection: PostgresConnection, applied: inout String?, known: inout Set<RevocationKey>, reported: inout Set<String>,
        reason: String
    ) async throws {
        let rows = try await CertificateInventory.latestRevocationLists(on: connection)
        guard !rows.isEmpty else { return }
        let trustStore = self.store.current.trustStore
        // the CRLs in the file now, in file order, one per issuer (the newest when there are several)
        let onDisk = (try? CertificateRevocationList.list(pem: ProtectedFile.readPublic(self.revocationListPath))) ?? []
        var order: [RevocationListIssuer] = []
        var merged: [RevocationListIssuer: CertificateRevocationList] = [:]
        for list in onDisk {
            let issuer = RevocationListIssuer(list)
            if let current = merged[issuer] {
                if RevocationListVersion(list).isNewer(than: RevocationListVersion(current)) { merged[issuer] = list }
            } else {
                order.append(issuer)
                merged[issuer] = list
            }
        }
        var taken: [PublishedRevocationList] = []
        for row in rows {
            guard let list = self.validated(row, trustedBy: trustStore, reported: &reported) else { continue }
            let issuer = RevocationListIssuer(list)
            if let current = merged[issuer] {
                let offered = RevocationListVersion(list)
                let inFile = RevocationListVersion(current)
                if offered == inFile { continue }
                guard offered.isNewer(than: inFile) else {
                    self.logger.warning(
                        "crl older than the one in force refused",
                        metadata: [
                            "crl.issuer": "\(offered.issuerName)", "crl.number": "\(offered.numberText)",
                            "crl.in_force": "\(inFile.numberText)", "crl.hierarchy": "\(row.hierarchy.rawValue)",
                        ])
                    continue
                }
            } else {
                order.append(issuer)
            }
            merged[issuer] = list
            taken.append(row)
        }
        let combined = order.compactMap { merged[$0]?.pemRepresentation }.joined()
        guard !taken.isEmpty, combined != applied else { return }
        try ProtectedFile.writePublic(combined, to: self.revocationListPath)
        let outcome = self.store.reload(reason: reason)
        guard case .reloaded(let generation, let closed) = outcome else {
            self.logger.error("crl not applied; the previous CRL stays in force", metadata: ["crl.reason": "\(reason)"])
            return
        }
        applied = combined
        let keys = (try? Self.revocationKeys(in: Array(combined.utf8))) ?? known
        let added = keys.subtracting(known)
        known = keys
        self.logger.info(
            "crl applied",
            metadata: [
                "crl.reason": "\(reason)", "crl.numbers": "\(taken.map { "\($0.hierarchy.rawValue):\($0.number)" }.joined(separator: ","))",
                "tls.generation": "\(generation)", "tls.revoked.closed": "\(closed)", "crl.newly_revoked": "\(added.count)",
            ])
        if !added.isEmpty {
            for observer in self.observers { await observer.certificatesRevoked(added) }
        }
    }

    /// The CRL of `row` when it is one CRL, signed by a CA of `trustStore`, numbered as its row;
    /// `nil` (logged) otherwise. The issuers of untrusted CRLs are reported at notice level once
    /// (`reported` remembers them), later at debug.
    private func validated(
        _ row: PublishedRevocationList, trustedBy trustStore: TrustStore, reported: inout Set<String>
    ) -> CertificateRevocationList? {
        guard let lists = try? CertificateRevocationList.list(pem: Array(row.pem.utf8)), lists.count == 1, let list = lists.first else {
            self.logger.warning(
                "crl in the database does not parse; skipped",
                metadata: ["crl.hierarchy": "\(row.hierarchy.rawValue)", "crl.number": "\(row.number)"])
            return nil
        }
        guard trustStore.authorities.contains(where: { list.isSigned(by: $0) }) else {
            let issuer = list.issuerName
            if reported.insert(issuer).inserted {
                self.logger.notice(
                    "crl of a CA this gateway does not trust; skipped",
                    metadata: ["crl.issuer": "\(issuer)", "crl.hierarchy": "\(row.hierarchy.rawValue)"])
            } else {
                self.logger.debug("crl of an untrusted CA skipped", metadata: ["crl.issuer": "\(issuer)"])
            }
            return nil
        }
        guard let number = list.number, number == UInt64(clamping: row.number) else {
            self.logger.warning(
                "crl whose signed number differs from its row; skipped",
                metadata: [
                    "crl.issuer": "\(list.issuerName)", "crl.number": "\(list.number.map { String($0) } ?? "none")",
                    "crl.row": "\(row.number)",
                ])
            return nil
        }
        return list
    }

    static func revocationKeys(in pem: [UInt8]) throws -> Set<RevocationKey> {
        var keys = Set<RevocationKey>()
        for list in try CertificateRevocationList.list(pem: pem) {
            let issuer = list.rawIssuer
            for serial in try list.revokedSerialNumbers() { keys.insert(RevocationKey(issuer: issuer, serial: serial)) }
        }
        return keys
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as PostgresError: error.description
        case let error as CertificateAuthorityError: error.description
        default: "\(type(of: error))"
        }
    }
}
