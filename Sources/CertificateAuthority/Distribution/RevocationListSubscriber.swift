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
/// hierarchy from `ca.revocation_lists`, writes them to the TLS material's CRL file (atomically)
/// and reloads the material: the new revocation set is in force for new handshakes and live
/// connections of newly revoked certificates are closed (``TLSMaterialStore``). Then it tells the
/// ``RevocationObserver``s.
///
/// A lost connection is re-established with a growing delay (up to 30 s); CRLs published meanwhile
/// are picked up on reconnect. A CRL the material store refuses (not signed by a trusted CA) keeps
/// the previous material in force; the store logs why.
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
    ///   - configuration: how to reach the database, as the CA role (`bilet_ca`, which may read
    ///     `ca.revocation_lists`; the gateway process already holds it for renewals). Its
    ///     `application_name` is replaced by ``applicationName``.
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
                    try await self.apply(from: opened, applied: &applied, known: &known, reason: "catch-up")
                    while !Task.isCancelled {
                        let notifications = try await opened.notifications(waitingAtMost: self.pollInterval)
                        guard let last = notifications.last(where: { $0.channel == RevocationPublisher.channel }) else { continue }
                        try await self.apply(from: opened, applied: &applied, known: &known, reason: "crl \(last.payload)")
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

    /// Reads the newest CRLs; when they differ from what was applied, writes and reloads.
    private func apply(
        from connection: PostgresConnection, applied: inout String?, known: inout Set<RevocationKey>, reason: String
    ) async throws {
        let lists = try await CertificateInventory.latestRevocationLists(on: connection)
        guard !lists.isEmpty else { return }
        let combined = lists.map(\.pem).joined()
        guard combined != applied else { return }
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
                "crl.reason": "\(reason)", "crl.numbers": "\(lists.map { "\($0.hierarchy.rawValue):\($0.number)" }.joined(separator: ","))",
                "tls.generation": "\(generation)", "tls.revoked.closed": "\(closed)", "crl.newly_revoked": "\(added.count)",
            ])
        if !added.isEmpty {
            for observer in self.observers { await observer.certificatesRevoked(added) }
        }
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
