import Audit
import CertificateAuthority
import Logging
import Policy
import ServiceLifecycle
import Settings
import PostgreSQL
import Storage

/// Everything `bilet serve` runs, in one service group: the private cluster (if started here),
/// the audit sequencer, policy reload, the vault (control socket, key rotation, retention), the
/// gateway (listeners, TLS material reloader, CRL subscriber) and the readiness announcement.
///
/// Services are listed in start order; graceful shutdown (SIGTERM, SIGINT) stops them in reverse:
/// first the listeners (requests in flight get the gateway's grace period), then the CRL
/// subscriber and the vault (its socket removed), policy reload, the sequencer, the shared pools,
/// and last the cluster.
struct ServeComposition {
    let services: [any Service]
    /// The gateway's grace period, when a gateway runs.
    let gatewayGracePeriod: Duration?

    /// Time beyond the gateway's grace period for the rest to stop (the cluster's clean stop).
    static let stopMargin: Duration = .seconds(30)

    static func make(
        settings: BiletSettings, database: PlatformDatabase, startedCluster: Bool, policies: PolicyStore, logger: Logger
    ) throws -> ServeComposition {
        let components = database.components()
        let progress = StartupProgress(
            expecting: GatewayServices.expectedParts(settings.gateway).union([VaultServices.controlPart]))
        var services: [any Service] = []
        if let cluster = database.cluster {
            services.append(LocalClusterService(cluster: cluster, startedHere: startedCluster, logger: logger))
        }
        var sharedPools: [PostgresConnectionPool] = []
        let vault = try VaultServices.make(
            settings.vault, policies: policies, database: components, progress: progress, logger: logger)
        sharedPools.append(vault.pool)

        var routes = PlatformRoutes()
        var caServices: [any Service] = []
        var gateway: GatewayServices?
        if settings.gateway.isEnabled {
            if let held = try CertificateServices.authority(settings.ca, database: components, logger: logger) {
                sharedPools.append(held.pool)
                routes.certificateRenewal = CertificateServices.renewal(held.authority)
                // Re-signs each CRL before its nextUpdate; gateways refuse client certificates under a stale CRL.
                caServices.append(try RevocationListRefresher(authority: held.authority, logger: logger))
            }
            let staff = try StaffServices.make(vault: vault.vault, policies: policies, database: components, logger: logger)
            sharedPools += staff.pools
            routes.staff = staff.routes
            gateway = try GatewayServices.make(
                settings.gateway, routes: routes, database: components, revocationObservers: [staff.revocationObserver],
                progress: progress, logger: logger)
        } else {
            logger.notice("no gateway.listeners: this process runs no TLS gateway")
        }
        services.append(ConnectionPoolsService(pools: sharedPools))

        if let signer = try CheckpointSigner.load(settings, logger: logger) {
            let pool = components.makePool(for: .audit, logger: logger)
            let sequencer = AuditSequencer(
                pool: pool, signer: signer, directory: CheckpointDirectory(path: settings.audit.checkpointDirectory),
                logger: logger)
            services.append(AuditSequencerService(sequencer: sequencer, pool: pool))
        } else {
            logger.notice("no audit.signing_key: this process does not sequence the audit log; run `bilet audit sequence`")
        }
        services.append(
            PolicyReloadService(
                store: policies, directory: settings.policyDirectory,
                auditPool: components.makePool(for: .policy, logger: logger), pollInterval: .seconds(1), logger: logger))
        services += vault.services
        services += caServices
        services += gateway?.services ?? []
        services.append(
            ReadinessService(
                logger: logger,
                metadata: [
                    "database": "\(database.cluster == nil ? "configured" : "local")",
                    "gateway": "\(settings.gateway.listeners.map(\.name).joined(separator: ",").nilIfEmpty ?? "off")",
                    "routes": "\(gateway == nil ? "none" : routes.groups.joined(separator: ","))",
                    "vault": "sealed until unsealed",
                ],
                progress: progress))
        return ServeComposition(services: services, gatewayGracePeriod: gateway?.gateway.shutdownGracePeriod)
    }

    /// The service group's configuration: stops on SIGTERM or SIGINT; with a gateway, the whole
    /// graceful stop is bounded by its grace period plus ``stopMargin``, then what is left is cancelled.
    func groupConfiguration(logger: Logger) -> ServiceGroupConfiguration {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        if let gatewayGracePeriod {
            configuration.maximumGracefulShutdownDuration = gatewayGracePeriod + Self.stopMargin
            configuration.maximumCancellationDuration = .seconds(10)
        }
        return configuration
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
