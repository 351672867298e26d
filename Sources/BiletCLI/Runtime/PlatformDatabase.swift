import Logging
import PostgreSQL
import Settings
import Storage

/// The database a bilet process uses: the configured one, or the private local cluster.
///
/// With `database.url` set, the string is passed to libpq untouched (several hosts allowed) and
/// bilet neither starts nor stops anything. Without it, bilet runs a private PostgreSQL under
/// `database.local_directory` and uses its database `bilet`.
struct PlatformDatabase: Sendable {
    /// The name of bilet's database inside the private cluster.
    static let localDatabaseName = "bilet"

    /// The private cluster, when no database is configured.
    let cluster: LocalCluster?
    /// The configuration migrations and administration connect with (the database owner).
    let ownerConfiguration: PostgresConfiguration
    let settings: DatabaseSettings

    init(settings: DatabaseSettings, logger: Logger) throws {
        self.settings = settings
        if let url = settings.url {
            cluster = nil
            ownerConfiguration = PostgresConfiguration(connectionString: url, applicationName: "bilet-migrator")
        } else {
            let cluster = try LocalCluster(directory: settings.localDirectory, logger: logger)
            self.cluster = cluster
            ownerConfiguration = cluster.configuration(database: Self.localDatabaseName)
        }
    }

    /// Starts the private cluster if there is one and makes sure bilet's database exists there.
    /// - Returns: whether this call started the server (so the caller knows to stop it).
    @discardableResult
    func start(logger: Logger) async throws -> Bool {
        guard let cluster else { return false }
        let wasRunning = try await cluster.status() == .running
        try await cluster.start()
        try await createLocalDatabaseIfMissing(cluster, logger: logger)
        return !wasRunning
    }

    /// Applies every migration not yet applied, as the database owner.
    func migrate(logger: Logger) async throws -> Migrator.Report {
        try await withOnePool(ownerConfiguration, logger: logger) { pool in
            try await Migrator.bundled(logger: logger).migrate(using: pool)
        }
    }

    /// The factory for each component's own pool, connecting as that component's role.
    func components() -> ComponentDatabase {
        ComponentDatabase(
            base: ownerConfiguration, maxConnectionsPerComponent: settings.poolSize,
            acquireTimeout: settings.acquireTimeout)
    }

    private func createLocalDatabaseIfMissing(_ cluster: LocalCluster, logger: Logger) async throws {
        try await withOnePool(cluster.configuration(database: "postgres"), logger: logger) { pool in
            let name = Self.localDatabaseName
            let exists = try await pool.query("SELECT 1 FROM pg_database WHERE datname = \(name)")
            guard exists.isEmpty else { return }
            do {
                try await pool.execute("CREATE DATABASE \(identifier: try SQLIdentifier(name)) ENCODING 'UTF8'")
                logger.info("created local database", metadata: ["database": "\(name)"])
            } catch let error as PostgresError where error.sqlState == .duplicateDatabase {
                // Another bilet process created it at the same moment.
            }
        }
    }

    /// Runs `body` with a one-connection pool that is shut down afterwards, whatever happens.
    private func withOnePool<Result>(
        _ configuration: PostgresConfiguration, logger: Logger,
        _ body: (PostgresConnectionPool) async throws -> Result
    ) async throws -> Result {
        try await Self.using(
            PostgresConnectionPool(
                configuration: configuration, maxConnections: 1, acquireTimeout: settings.acquireTimeout, logger: logger),
            body)
    }

    /// Runs `body` with `pool`, then shuts the pool down, whatever happens.
    static func using<Result>(
        _ pool: PostgresConnectionPool, _ body: (PostgresConnectionPool) async throws -> Result
    ) async throws -> Result {
        do {
            let result = try await body(pool)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}
