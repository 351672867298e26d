import ArgumentParser
import Foundation
import GnuTLS
import Logging
import NIOCore
import NIOPosix
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
            Migrations are applied before anything is served; a failed migration stops the start. \
            With gateway.listeners set, the TLS gateway serves on each listener (and certificate renewal \
            when ca.directory is set); the vault always runs, sealed until `bilet vault unseal` reaches \
            it through vault.control_socket. "bilet is ready" is logged once every listener is bound and \
            the control socket answers.
            """)

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        // Swift concurrency runs on the NIO event loops, so a connection's request handling and
        // its channel share a thread (no hop per request); blocking libpq, Argon2 and vault work
        // already runs on thread pools of its own. `bilet bench gateway` measures this setup.
        let onEventLoops = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
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
        logger.info("swift concurrency executor", metadata: ["nio_event_loops": "\(onEventLoops)"])
        logger.info("policy loaded", metadata: ["version": "\(policies.current.version)"])

        let database = try PlatformDatabase(settings: settings.database, logger: logger)
        let startedCluster = try await database.start(logger: logger)
        let composition: ServeComposition
        do {
            let report = try await database.migrate(logger: logger)
            logger.info(
                "migrations applied",
                metadata: ["applied": "\(report.applied.count)", "already_applied": "\(report.alreadyApplied.count)"])
            composition = try ServeComposition.make(
                settings: settings, database: database, startedCluster: startedCluster, policies: policies, logger: logger)
        } catch {
            // Nothing is served: leave the private cluster as it was found.
            if startedCluster, let cluster = database.cluster { try? await cluster.stop() }
            throw error
        }
        let group = ServiceGroup(configuration: composition.groupConfiguration(logger: logger))
        try await group.run()
        logger.info("bilet stopped")
    }
}
