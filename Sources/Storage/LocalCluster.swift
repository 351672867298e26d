public import Logging
public import PostgreSQL
import Foundation

/// A private PostgreSQL cluster in one directory, reachable only through a Unix socket in that
/// directory: no TCP (`listen_addresses = ''`), `trust` authentication on the socket and `reject`
/// for TCP, the socket directory readable by the cluster's owner only.
///
/// Layout under ``directory``: `data/` (PGDATA), `socket/` (the Unix socket), `log/postgresql.log`.
/// As root, the cluster belongs to the unprivileged system user `bilet-postgres` (created on first
/// use) and the programs run through `runuser`; otherwise it runs as the current user.
///
/// ``start()`` is idempotent: it initialises the directory once (UTF8), reuses it afterwards and
/// does nothing if the server already runs.
///
/// The server log is kept free of statement text and error details (invariant 4): errors are
/// returned to the client, not logged; only server lifecycle messages are written.
public struct LocalCluster: Sendable {
    /// Whether a cluster is initialised and running.
    public enum Status: Sendable, Hashable {
        /// No cluster in the directory yet.
        case notInitialised
        /// Initialised, server not running.
        case stopped
        /// Server running.
        case running
    }

    /// The cluster's directory (absolute).
    public let directory: String
    /// The bootstrap superuser (`postgres`), used by migrations and administration only.
    public let superuser = "postgres"
    /// `false` turns off fsync and synchronous commit: for throwaway test clusters only.
    public let durable: Bool
    /// The server's `max_connections`.
    public let maxConnections: Int
    /// How roles authenticate on the socket.
    public let authentication: Authentication

    /// How roles authenticate on the cluster's Unix socket.
    public enum Authentication: Sendable, Hashable {
        /// `trust`: whoever reaches the owner-only socket may connect as any role. For throwaway test
        /// clusters only.
        case trust
        /// `scram-sha-256` for every role, the superuser included: the superuser's password is kept in
        /// ``ownerPasswordFile`` (mode 0600) and each component role's in its own file (see
        /// ``DatabaseCredentials``), so a process holds only the roles it was given.
        case scram
    }
    private let binaries: PostgresBinaries
    private let logger: Logger

    /// Describes a cluster in `directory` (relative paths are taken from the current directory).
    /// Nothing is created until ``start()``.
    /// - Throws: ``LocalClusterError/Code/binariesNotFound``,
    ///   ``LocalClusterError/Code/socketPathTooLong``, ``LocalClusterError/Code/directoryNotUsable``.
    public init(
        directory: String,
        durable: Bool = true,
        maxConnections: Int = 100,
        authentication: Authentication = .trust,
        binaries: PostgresBinaries? = nil,
        logger: Logger = Logger(label: "bilet.storage.cluster")
    ) throws(LocalClusterError) {
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        guard !absolute.contains(where: { $0 == "," || $0 == "'" || $0.isNewline }) else {
            throw LocalClusterError(.directoryNotUsable, "cluster path must not contain commas, quotes or newlines")
        }
        self.directory = absolute
        self.durable = durable
        self.maxConnections = maxConnections
        self.authentication = authentication
        if let binaries {
            self.binaries = binaries
        } else {
            self.binaries = try PostgresBinaries.locate()
        }
        self.logger = logger
        // sun_path holds 108 bytes including the terminating NUL.
        guard (socketDirectory + "/.s.PGSQL.5432").utf8.count <= 107 else {
            throw LocalClusterError(.socketPathTooLong, "\(socketDirectory) is too long for a Unix socket path")
        }
    }

    /// PGDATA.
    public var dataDirectory: String { directory + "/data" }
    /// The directory holding the server's Unix socket.
    public var socketDirectory: String { directory + "/socket" }
    /// The server log.
    public var logFile: String { directory + "/log/postgresql.log" }

    /// The superuser's password file (``Authentication/scram`` only), made on first start.
    public var ownerPasswordFile: String { directory + "/owner.password" }

    /// `host=<socket dir> dbname=<database> user=<user>` in libpq keyword/value form.
    public func connectionString(database: String = "postgres", user: String? = nil) -> String {
        [("host", socketDirectory), ("dbname", database), ("user", user ?? superuser)]
            .map { "\($0.0)=\(Self.quoteConnectionValue($0.1))" }
            .joined(separator: " ")
    }

    /// A configuration for ``connectionString(database:user:)``.
    /// With ``Authentication/scram`` and the superuser, the configuration carries the superuser's
    /// password from ``ownerPasswordFile``: only administration (migrations) asks for it.
    public func configuration(database: String = "postgres", user: String? = nil) -> PostgresConfiguration {
        var configuration = PostgresConfiguration(connectionString: connectionString(database: database, user: user))
        if authentication == .scram, user == nil || user == superuser {
            configuration.password = try? ownerCredentials.password(forRole: Self.ownerRoleFileName)
        }
        return configuration
    }

    /// Where the database is, naming no role and carrying no password: what component processes start
    /// from, adding their own role and password.
    public func location(database: String) -> PostgresConfiguration {
        PostgresConfiguration(
            connectionString: "host=\(Self.quoteConnectionValue(socketDirectory)) dbname=\(Self.quoteConnectionValue(database))")
    }

    private static let ownerRoleFileName = "owner"
    private var ownerCredentials: DatabaseCredentials { DatabaseCredentials(directory: directory) }

    // MARK: Lifecycle

    /// Initialises the cluster if needed, then starts the server unless it already runs; returns
    /// once it accepts connections.
    public func start() async throws(LocalClusterError) {
        let owner = try await ClusterOwner.resolve()
        try prepareDirectories(owner: owner)
        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            try await initialise(owner: owner)
        }
        if try await status(owner: owner) != .running {
            try await pgCtl(owner, ["start", "-D", dataDirectory, "-l", logFile, "-w", "-t", "120", "-s"], step: "start")
            logger.info("local postgres started", metadata: ["directory": "\(directory)"])
        }
        if authentication == .scram { try await requireSCRAM(owner: owner) }
    }

    /// The `pg_hba.conf` of ``Authentication/scram``.
    static let scramHostBasedAuthentication = """
        # bilet LocalCluster: every role, the superuser included, proves a SCRAM-SHA-256 password on the
        # owner-only Unix socket; TCP is not listened on.
        local all all scram-sha-256

        """

    /// Gives the superuser a password (once, while the socket still trusts) and makes every role
    /// authenticate with SCRAM-SHA-256 from then on; reloads the server when `pg_hba.conf` changed.
    private func requireSCRAM(owner: ClusterOwner) async throws(LocalClusterError) {
        let hbaPath = dataDirectory + "/pg_hba.conf"
        let wanted = Self.scramHostBasedAuthentication
        if (try? String(contentsOfFile: hbaPath, encoding: .utf8)) == wanted { return }
        if !FileManager.default.fileExists(atPath: ownerPasswordFile) {
            do {
                let (password, _) = try ownerCredentials.ensurePassword(forRole: Self.ownerRoleFileName)
                let trusting = PostgresConfiguration(connectionString: connectionString(database: "postgres"))
                let superuser = try SQLIdentifier(superuser)
                try await PostgresConnectionPool.using(configuration: trusting, logger: logger) { pool in
                    try await pool.withConnection { connection in try await connection.setPassword(of: superuser, to: password) }
                }
            } catch {
                throw LocalClusterError(.commandFailed, "cannot give the superuser of \(dataDirectory) a password")
            }
        }
        do {
            try Data(wanted.utf8).write(to: URL(fileURLWithPath: hbaPath))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: hbaPath)
        } catch {
            throw LocalClusterError(.directoryNotUsable, "cannot write \(hbaPath)")
        }
        try owner.takeOwnership(of: hbaPath)
        try await pgCtl(owner, ["reload", "-D", dataDirectory, "-s"], step: "reload")
        logger.info("local postgres requires scram-sha-256 for every role", metadata: ["directory": "\(directory)"])
    }

    /// Stops the server (`pg_ctl stop -m fast`: open transactions roll back); no-op if stopped.
    public func stop() async throws(LocalClusterError) {
        let owner = try await ClusterOwner.resolve()
        guard try await status(owner: owner) == .running else { return }
        try await pgCtl(owner, ["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "120", "-s"], step: "stop")
        logger.info("local postgres stopped", metadata: ["directory": "\(directory)"])
    }

    /// Restarts the server (`pg_ctl restart -m fast`); existing connections break.
    public func restart() async throws(LocalClusterError) {
        let owner = try await ClusterOwner.resolve()
        try await pgCtl(
            owner, ["restart", "-D", dataDirectory, "-l", logFile, "-m", "fast", "-w", "-t", "120", "-s"],
            step: "restart")
    }

    /// Whether the cluster is initialised and running.
    public func status() async throws(LocalClusterError) -> Status {
        try await status(owner: try await ClusterOwner.resolve())
    }

    private func status(owner: ClusterOwner) async throws(LocalClusterError) -> Status {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") else { return .notInitialised }
        let outcome = try await run(owner, binaries.pgCtl, ["status", "-D", dataDirectory], step: "status")
        switch outcome.status {
        case 0: return .running
        case 3: return .stopped
        default:
            throw LocalClusterError(.commandFailed, "pg_ctl status failed for \(dataDirectory)", output: outcome.tail)
        }
    }

    // MARK: Setup

    private func prepareDirectories(owner: ClusterOwner) throws(LocalClusterError) {
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            for path in [directory, dataDirectory, socketDirectory, directory + "/log"] {
                if !fileManager.fileExists(atPath: path) {
                    try fileManager.createDirectory(atPath: path, withIntermediateDirectories: false)
                }
                try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
                try owner.takeOwnership(of: path)
            }
        } catch let error as LocalClusterError {
            throw error
        } catch {
            throw LocalClusterError(.directoryNotUsable, "cannot create \(directory)")
        }
        try owner.checkTraversable(ancestorsOf: directory)
    }

    private func initialise(owner: ClusterOwner) async throws(LocalClusterError) {
        var arguments = [
            "-D", dataDirectory,
            "--username=\(superuser)",
            "--encoding=UTF8",
            "--auth-local=trust",
            "--auth-host=reject",
            "--no-instructions",
        ]
        // C.UTF-8 keeps byte-order collation but knows Unicode case rules (Cyrillic upper/lower).
        let hasCUTF8 = ["/usr/lib/locale/C.utf8", "/usr/lib/locale/C.UTF-8"].contains {
            FileManager.default.fileExists(atPath: $0)
        }
        arguments.append(hasCUTF8 ? "--locale=C.UTF-8" : "--no-locale")
        if !durable { arguments.append("--no-sync") }
        let outcome = try await run(owner, binaries.initdb, arguments, step: "initdb")
        guard outcome.status == 0 else {
            throw LocalClusterError(.commandFailed, "initdb failed for \(dataDirectory)", output: outcome.tail)
        }

        var settings = """

            # --- bilet LocalCluster ---
            # Unix socket only, in the cluster's own directory, readable by its owner only.
            listen_addresses = ''
            unix_socket_directories = '\(socketDirectory)'
            unix_socket_permissions = 0700
            max_connections = \(maxConnections)
            # A bulk pupil import locks each blind-index digest of its rows (up to 20,000 advisory
            # locks for 10,000 rows) so a concurrent registration cannot miss a duplicate.
            max_locks_per_transaction = 512
            # The audit append functions' calls and time, which the gateway's metrics read from
            # pg_stat_user_functions (docs/METRICS.md).
            track_functions = pl
            # Invariant 4: no personal data in logs. Statements and errors (whose messages and
            # details can echo values) are reported to the client, not logged; only lifecycle
            # messages (LOG, FATAL, PANIC) are.
            log_min_messages = log
            log_min_error_statement = panic
            log_error_verbosity = terse
            log_parameter_max_length = 0
            log_parameter_max_length_on_error = 0

            """
        if !durable {
            settings += """
                # Throwaway test cluster: speed over durability.
                fsync = off
                synchronous_commit = off
                full_page_writes = off

                """
        }
        let configPath = dataDirectory + "/postgresql.conf"
        guard let handle = FileHandle(forWritingAtPath: configPath) else {
            throw LocalClusterError(.directoryNotUsable, "cannot write \(configPath)")
        }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(settings.utf8))
            try handle.close()
        } catch {
            throw LocalClusterError(.directoryNotUsable, "cannot write \(configPath)")
        }
        logger.info("local postgres initialised", metadata: ["directory": "\(directory)"])
    }

    // MARK: Running programs

    private func pgCtl(_ owner: ClusterOwner, _ arguments: [String], step: String) async throws(LocalClusterError) {
        let outcome = try await run(owner, binaries.pgCtl, arguments, step: step)
        guard outcome.status == 0 else {
            throw LocalClusterError(.commandFailed, "pg_ctl \(step) failed for \(dataDirectory)", output: outcome.tail)
        }
    }

    private func run(
        _ owner: ClusterOwner, _ executable: String, _ arguments: [String], step: String
    ) async throws(LocalClusterError) -> CommandRunner.Outcome {
        let (program, programArguments) = owner.command(executable, arguments)
        do {
            // The owner may not be able to read the caller's current directory.
            return try await CommandRunner.run(program, programArguments, in: directory)
        } catch {
            throw LocalClusterError(.commandFailed, "cannot run \(step) (\(executable))")
        }
    }

    /// Quotes a keyword/value connection string value: single quotes, with `\` and `'` escaped.
    static func quoteConnectionValue(_ value: String) -> String {
        var quoted = "'"
        for character in value {
            if character == "\\" || character == "'" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "'"
    }
}
