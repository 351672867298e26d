import ArgumentParser
import Audit
import CertificateAuthority
import Foundation
package import Logging
package import Policy
import PostgreSQL
package import ServiceLifecycle
package import Settings
package import Storage
import VaultDoor

#if canImport(Glibc)
import Glibc
#endif

/// Everything one trust domain's process runs (`bilet serve --component …`), in one service group,
/// holding only that domain's keys and database roles:
///
/// - **vault**: the `bilet_vault` pool, the key ring (sealed at start), the control socket, the door
///   socket the gateway calls, key rotation, retention, policy reload (recorded as `bilet_vault`);
/// - **gateway**: the listeners, TLS material reloader, CRL subscriber (as `bilet_gateway`), staff
///   sessions (`bilet_accounts`), the audit API (read-only `bilet_auditor`), policy reload (recorded
///   as `bilet_gateway`); it asks the vault's door for keyed hashes and forwards renewals to the CA
///   process;
/// - **ca**: the issuing CA keys, the renewal socket, the CRL refresher (`bilet_ca`);
/// - **sequencer**: the checkpoint signing key and the sequencer (`bilet_audit`).
///
/// Services are listed in start order; graceful shutdown stops them in reverse.
package struct DomainComposition {
    let services: [any Service]
    /// The gateway's grace period, when this is the gateway.
    let gatewayGracePeriod: Duration?

    /// Time beyond the gateway's grace period for the rest to stop.
    static let stopMargin: Duration = .seconds(30)

    package static func make(
        _ domain: TrustDomain, settings: BiletSettings, components: ComponentDatabase, policies: () throws -> PolicyStore,
        readiness: ReadinessService.Announcement, logger: Logger
    ) throws -> DomainComposition {
        var pools: [PostgresConnectionPool] = []
        var metadata: Logger.Metadata = ["component": "\(domain.rawValue)"]
        var gracePeriod: Duration?
        var tail: [any Service] = []
        let expected: Set<String> =
            switch domain {
            case .vault: [VaultServices.controlPart, VaultDoorService.part]
            case .gateway: GatewayServices.expectedParts(settings.gateway)
            case .ca: [RenewalForwarding.part]
            case .sequencer: []
            }
        let progress = StartupProgress(expecting: expected)

        switch domain {
        case .vault:
            let store = try policies()
            let vault = try VaultServices.make(settings.vault, policies: store, database: components, progress: progress, logger: logger)
            pools.append(vault.pool)
            tail += vault.services
            tail.append(try VaultDoorService.make(settings.vault, vault: vault.vault, progress: progress, logger: logger))
            tail.append(Self.policyReload(store, as: domain.ownRole, settings: settings, components: components, logger: logger))
            metadata["vault"] = "sealed until unsealed"
        case .gateway:
            let store = try policies()
            var routes = PlatformRoutes()
            if settings.ca.isEnabled {
                routes.certificateRenewal = RenewalForwarding.client(socketPath: settings.ca.socket)
                routes.certificateInventory = CertificateInventoryForwarding.desk(socketPath: settings.ca.socket)
            }
            let unobserved = VaultDoorClient(socketPath: settings.vault.doorSocket)
            let monitoring = GatewayMonitoring.make(settings.gateway, door: unobserved, database: components, logger: logger)
            var observed = unobserved
            observed.observer = monitoring?.metrics.doorCalls
            let door = observed
            pools += monitoring?.pools ?? []
            let staff = try StaffServices.make(
                attemptedAccountHash: { login in await door.attemptedAccountHash(login) }, policies: store,
                database: components, logger: logger)
            pools += staff.pools
            routes.staff = staff.routes
            routes.vaultDoor = door
            routes.pupilPath = PlatformRoutes.PupilPath(settings.gateway)
            let gateway = try GatewayServices.make(
                settings.gateway, routes: routes, database: components, revocationObservers: [staff.revocationObserver],
                refusalObserver: staff.failures, monitoring: monitoring, progress: progress, logger: logger)
            tail.append(AuthFailureAggregatorService(aggregator: staff.failures))
            tail.append(Self.policyReload(store, as: domain.ownRole, settings: settings, components: components, logger: logger))
            tail += gateway?.services ?? []
            gracePeriod = gateway?.gateway.shutdownGracePeriod
            metadata["gateway"] = "\(settings.gateway.listeners.map(\.name).joined(separator: ","))"
            metadata["routes"] = "\(routes.groups.joined(separator: ","))"
        case .ca:
            guard let held = try CertificateServices.authority(settings.ca, database: components, logger: logger) else {
                throw ValidationError("the ca component needs ca.directory and ca.issuing_passphrase_file")
            }
            pools.append(held.pool)
            // Re-signs each CRL before its nextUpdate; gateways refuse client certificates under a stale CRL.
            tail.append(try RevocationListRefresher(authority: held.authority, logger: logger))
            tail.append(try RenewalForwarding.server(settings.ca, authority: held.authority, progress: progress, logger: logger))
        case .sequencer:
            guard let signer = try CheckpointSigner.load(settings, logger: logger) else {
                throw ValidationError("the sequencer component needs audit.signing_key")
            }
            let pool = components.makePool(for: .audit, logger: logger)
            let sequencer = AuditSequencer(
                pool: pool, signer: signer, directory: CheckpointDirectory(path: settings.audit.checkpointDirectory),
                logger: logger)
            tail.append(AuditSequencerService(sequencer: sequencer, pool: pool))
        }
        var services: [any Service] = [ConnectionPoolsService(pools: pools)] + tail
        services.append(ReadinessService(logger: logger, metadata: metadata, progress: progress, announcement: readiness))
        // Under the supervisor (it names a ready file): stop when it is gone.
        if readiness.readyFile != nil { services.append(ParentWatch(parent: getppid(), logger: logger)) }
        if !domain.reloadsOnHangup { services.append(HangupIgnored(logger: logger)) }
        return DomainComposition(services: services, gatewayGracePeriod: gracePeriod)
    }

    /// The policy reload of the gateway or the vault, appending its `policy.reloaded` records as the
    /// domain's own role (`writer`, ``TrustDomain/ownRole``), on a pool of its own that the service
    /// closes when it stops.
    private static func policyReload(
        _ store: PolicyStore, as writer: Component, settings: BiletSettings, components: ComponentDatabase, logger: Logger
    ) -> PolicyReloadService {
        PolicyReloadService(
            store: store, directory: settings.policyDirectory, auditPool: components.makePool(for: writer, logger: logger),
            pollInterval: .seconds(1), logger: logger)
    }

    /// The service group's configuration: stops on SIGTERM or SIGINT; with a gateway, the whole
    /// graceful stop is bounded by its grace period plus ``stopMargin``, then what is left is cancelled.
    package func groupConfiguration(logger: Logger) -> ServiceGroupConfiguration {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        if let gatewayGracePeriod {
            configuration.maximumGracefulShutdownDuration = gatewayGracePeriod + Self.stopMargin
            configuration.maximumCancellationDuration = .seconds(10)
        }
        return configuration
    }
}
