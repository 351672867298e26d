import ArgumentParser
import Foundation
import GnuTLS
import Logging
import NIOCore
import NIOPosix
import Platform
import Policy
import PostgreSQL
import ServiceLifecycle
import Storage

/// `bilet serve`: runs the platform until SIGINT or SIGTERM, one process per trust domain.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Runs the platform: the gateway, the vault, the CA and the audit sequencer, each as a process of its own.",
        discussion: """
            Without --component, bilet serve starts the private PostgreSQL (when database.url is not set) and \
            runs every configured component as a child process: the vault always (sealed until `bilet vault \
            unseal`), the audit sequencer with a signing key, the gateway with gateway.listeners, and the CA \
            with ca.directory. "bilet is ready" is logged once every component is up. With --component, this \
            process runs that one component only (as a systemd unit in production, docs/DEPLOYMENT.md).

            Serving processes never migrate: they refuse to start while a migration is pending (run \
            `bilet db migrate` first), and each connects with its own roles' passwords from \
            database.credentials_directory, never the owner's.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Run only this component (gateway, vault, ca or sequencer) in this process.")
    var component: TrustDomain?

    @Option(help: .hidden) var readyFile: String?

    func run() async throws {
        let settings = try await options.load()
        ProcessLogging.bootstrap(settings.log)
        var logger = Logger(label: "bilet")
        if let url = settings.database.url, PostgresConfiguration(connectionString: url).connectionStringCarriesPassword {
            throw ValidationError(
                "database.url carries a password: serving processes use each component role's own password from database.credentials_directory; the owner's credentials belong to `bilet db migrate` only")
        }
        // libpq would take a password from these whatever the configuration says.
        for name in ["PGPASSWORD", "PGPASSFILE", "PGSERVICE", "PGSERVICEFILE"] where Environment.value(of: name) != nil {
            throw ValidationError(
                "\(name) is set: serving processes take database passwords only from database.credentials_directory; unset it")
        }
        let database = try PlatformDatabase(settings: settings.database, logger: logger)
        guard let component else {
            let supervisor = ServeSupervisor(
                domains: TrustDomain.configured(by: settings), configurationPath: options.path, database: database, logger: logger)
            let status = try await supervisor.run()
            if status != 0 { throw ExitCode(status) }
            return
        }

        // Swift concurrency runs on the NIO event loops, so a connection's request handling and
        // its channel share a thread (no hop per request); blocking libpq, Argon2 and vault work
        // already runs on thread pools of its own. `bilet-bench gateway` measures this setup.
        let onEventLoops = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        logger[metadataKey: "component"] = "\(component.rawValue)"
        try GnuTLSLibrary.ensureInitialized()
        logger.info("swift concurrency executor", metadata: ["nio_event_loops": "\(onEventLoops)"])

        let components = try database.components(for: component.roles)
        try await Self.requireMigrated(components, role: component.ownRole, logger: logger)
        let composition = try DomainComposition.make(
            component, settings: settings, components: components,
            policies: { try Self.loadPolicies(settings.policyDirectory, logger: logger) },
            readiness: .init(readyFile: readyFile), logger: logger)
        let group = ServiceGroup(configuration: composition.groupConfiguration(logger: logger))
        try await group.run()
        logger.info("component stopped")
    }

    /// Refuses to serve while a migration is pending, asking as `role` (never the owner), or when that
    /// role has more power than a component may (superuser, create role or database, replication,
    /// bypass row security): a mis-provisioned role is not used.
    static func requireMigrated(_ components: ComponentDatabase, role: Component, logger: Logger) async throws {
        let pool = PostgresConnectionPool(
            configuration: components.configuration(for: role), maxConnections: 1, acquireTimeout: .seconds(10), logger: logger)
        try await pool.closing { pool in
            try await Migrator.bundled(logger: logger).requireApplied(using: pool)
            let powerful = try await pool.query(
                """
                SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls
                FROM pg_catalog.pg_roles WHERE rolname = current_user
                """
            ).singleValue(Bool.self)
            if powerful {
                throw ValidationError("\(role.roleName) has superuser, createrole, createdb, replication or bypassrls; a component role must not")
            }
        }
    }

    static func loadPolicies(_ directory: String, logger: Logger) throws -> PolicyStore {
        do {
            let policies = try PolicyStore(directory: directory, hasher: SHA256VersionHasher())
            logger.info("policy loaded", metadata: ["version": "\(policies.current.version)"])
            return policies
        } catch {
            for diagnostic in error.diagnostics { logger.error("policy refused", metadata: ["diagnostic": "\(diagnostic)"]) }
            throw ValidationError("the policies in \(directory) are invalid; `bilet policy check` shows why")
        }
    }
}
