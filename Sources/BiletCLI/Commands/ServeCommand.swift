import ArgumentParser
import Audit
import Foundation
import GnuTLS
import Logging
import Policy
import ServiceLifecycle

/// `bilet serve`: runs the platform until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Runs the platform: prepares the database, applies migrations and serves until interrupted.",
        discussion: """
            Without database.url in the configuration, bilet starts its private PostgreSQL under \
            database.local_directory (default var/postgres) and stops it again on SIGINT or SIGTERM. \
            Migrations are applied before anything is served; a failed migration stops the start.
            """)

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let settings = try await options.load()
        ProcessLogging.bootstrap(settings.log)
        let logger = Logger(label: "bilet")
        try GnuTLSLibrary.ensureInitialized()

        let policies: PolicyStore
        do {
            policies = try PolicyStore(directory: settings.policyDirectory, hasher: SHA256VersionHasher())
        } catch {
            for diagnostic in error.diagnostics { logger.error("policy refused", metadata: ["diagnostic": "\(diagnostic)"]) }
            throw ValidationError("the policies in \(settings.policyDirectory) are invalid; `bilet policy check` shows why")
        }
        logger.info("policy loaded", metadata: ["version": "\(policies.current.version)"])

        let database = try PlatformDatabase(settings: settings.database, logger: logger)
        let startedCluster = try await database.start(logger: logger)
        let report = try await database.migrate(logger: logger)
        logger.info(
            "migrations applied",
            metadata: ["applied": "\(report.applied.count)", "already_applied": "\(report.alreadyApplied.count)"])

        var services: [any Service] = []
        if let cluster = database.cluster {
            services.append(LocalClusterService(cluster: cluster, startedHere: startedCluster, logger: logger))
        }
        if let signer = try CheckpointSigner.load(settings, logger: logger) {
            let pool = database.components().makePool(for: .audit, logger: logger)
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
                auditPool: database.components().makePool(for: .policy, logger: logger), pollInterval: .seconds(1),
                logger: logger))
        services.append(
            ReadinessService(logger: logger, metadata: ["database": "\(database.cluster == nil ? "configured" : "local")"]))
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.info("bilet stopped")
    }
}
