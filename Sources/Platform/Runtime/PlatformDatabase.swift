package import Logging
package import PostgreSQL
package import Settings
package import Storage

/// The database a bilet process uses: the configured one, or the private local cluster.
///
/// With `database.url` set, the string is passed to libpq untouched (several hosts allowed) and
/// bilet neither starts nor stops anything. Without it, bilet runs a private PostgreSQL under
/// `database.local_directory` (every role, the superuser included, authenticating with SCRAM) and
/// uses its database `bilet`.
///
/// Two kinds of access, never mixed: ``ownerConfiguration`` (the database owner: migrations and
/// provisioning credentials, `bilet db migrate` only) and ``components(for:)`` (each component role
/// with its own password from `database.credentials_directory`: every serving process).
package struct PlatformDatabase: Sendable {
    /// The name of bilet's database inside the private cluster.
    package static let localDatabaseName = "bilet"

    /// The private cluster, when no database is configured.
    package let cluster: LocalCluster?
    package let settings: DatabaseSettings

    /// The database `settings` name, or the one `url` names (a command's `--database-url`) when given.
    package init(settings: DatabaseSettings, url: String?, logger: Logger) throws {
        var settings = settings
        if let url { settings.url = url }
        try self.init(settings: settings, logger: logger)
    }

    package init(settings: DatabaseSettings, logger: Logger) throws {
        self.settings = settings
        cluster = settings.url == nil ? try LocalCluster(directory: settings.localDirectory, authentication: .scram, logger: logger) : nil
    }

    /// The owner's configuration: for migrations and administration only. For the private cluster it
    /// carries the superuser's password, read from the cluster directory now.
    package var ownerConfiguration: PostgresConfiguration {
        if let url = settings.url { return PostgresConfiguration(connectionString: url, applicationName: "bilet-migrator") }
        return cluster!.configuration(database: Self.localDatabaseName)
    }

    /// Where the database is, without any role or password: what component roles connect from.
    package var location: PostgresConfiguration {
        if let url = settings.url { return PostgresConfiguration(connectionString: url) }
        return cluster!.location(database: Self.localDatabaseName)
    }

    /// The credentials directory every component's password is kept in.
    package var credentials: DatabaseCredentials { DatabaseCredentials(directory: settings.credentialsDirectory) }

    /// A factory for `roles`' pools, holding those roles' passwords and no other.
    /// - Parameter requirePasswords: serving processes require every role's file; administration tools
    ///   (which may reach a cluster that trusts its socket) connect without a password where none is kept.
    /// - Throws: ``CredentialsError`` when a role's password file is missing (if required) or open to others.
    package func components(
        for roles: some Sequence<Component>, maxConnectionsPerComponent: Int? = nil, acquireTimeout: Duration? = nil,
        requirePasswords: Bool = true
    ) throws -> ComponentDatabase {
        ComponentDatabase(
            base: location, maxConnectionsPerComponent: maxConnectionsPerComponent ?? settings.poolSize,
            acquireTimeout: acquireTimeout ?? settings.acquireTimeout,
            passwords: try credentials.passwords(for: roles, skippingMissing: !requirePasswords))
    }

    /// Starts the private cluster if there is one, without connecting to it as its owner.
    /// - Returns: whether this call started the server (so the caller knows to stop it).
    @discardableResult
    package func startCluster() async throws -> Bool {
        guard let cluster else { return false }
        let wasRunning = try await cluster.status() == .running
        try await cluster.start()
        return !wasRunning
    }

    /// Starts the private cluster if there is one and makes sure bilet's database exists there (as
    /// its owner: administration only).
    /// - Returns: whether this call started the server.
    @discardableResult
    package func start(logger: Logger) async throws -> Bool {
        guard let cluster else { return false }
        let started = try await startCluster()
        try await createLocalDatabaseIfMissing(cluster, logger: logger)
        return started
    }

    /// Applies every migration not yet applied, as the database owner, then gives every component
    /// role its own password (made once, kept in `database.credentials_directory`).
    package func migrate(logger: Logger, rotateCredentials: Bool = false) async throws -> (Migrator.Report, RoleCredentials.Report) {
        try await withOnePool(ownerConfiguration, logger: logger) { pool in
            let report = try await Migrator.bundled(logger: logger).migrate(using: pool)
            let credentials = try await RoleCredentials.provision(credentials, using: pool, rotate: rotateCredentials)
            return (report, credentials)
        }
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
        try await PostgresConnectionPool.using(
            configuration: configuration, maxConnections: 1, acquireTimeout: settings.acquireTimeout, logger: logger, body)
    }
}
