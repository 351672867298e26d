public import Logging
public import PostgreSQL

/// Applies versioned migrations, in order, each exactly once, each in its own transaction, and
/// records them in `bilet_meta.schema_migrations` (version, name, SHA-256 of the script,
/// applied_at).
///
/// Safe when several processes start at once: every step runs under the transaction-level
/// advisory lock ``lockKey`` (`pg_advisory_xact_lock`), so one process applies a migration while
/// the others wait, then see it recorded and move on. The lock is released with each transaction,
/// so a crashed migrator never leaves it held.
///
/// Refuses to run when an applied migration's script has changed (``MigrationError/Code/checksumMismatch``).
/// Applied versions this build does not know (a newer build ran first) are left alone, so older
/// and newer processes can run side by side during a rolling upgrade.
public struct Migrator: Sendable {
    /// The migrations, sorted by version.
    public let migrations: [Migration]
    private let logger: Logger

    /// The advisory lock key every migrator takes (`'bilet_mg'` as a 64-bit integer).
    public static let lockKey: Int64 = 0x6269_6C65_745F_6D67

    /// A migrator for `migrations`; throws ``MigrationError/Code/duplicateVersion`` when two share a
    /// version.
    public init(migrations: [Migration], logger: Logger = Logger(label: "bilet.storage.migrator")) throws(MigrationError) {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.version == next.version {
            throw MigrationError(.duplicateVersion, "two migrations have version \(next.version)", version: next.version)
        }
        self.migrations = sorted
        self.logger = logger
    }

    /// The migrations shipped with bilet (`Sources/Storage/Migrations/NNNN_name.sql`).
    public static func bundled(logger: Logger = Logger(label: "bilet.storage.migrator")) throws(MigrationError) -> Migrator {
        try Migrator(migrations: MigrationLoader.bundled(), logger: logger)
    }

    /// What a run did.
    public struct Report: Sendable, Hashable {
        /// Versions this run applied, in order.
        public let applied: [Int]
        /// Versions that were already applied (checksums verified).
        public let alreadyApplied: [Int]
    }

    /// Brings the database up to date through `pool`, which must connect as a role allowed to run
    /// the migrations (the cluster's administrator, never a component role).
    public func migrate(using pool: PostgresConnectionPool) async throws(MigrationError) -> Report {
        try await run(pool, step: "create bilet_meta") { connection in
            try await connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            try await connection.execute(script: Self.bootstrap)
        }
        var applied: [Int] = []
        var alreadyApplied: [Int] = []
        for migration in migrations {
            let didApply = try await apply(migration, using: pool)
            if didApply { applied.append(migration.version) } else { alreadyApplied.append(migration.version) }
        }
        return Report(applied: applied, alreadyApplied: alreadyApplied)
    }

    /// Refuses to go on unless every bundled migration is applied with an unchanged checksum, reading
    /// the bookkeeping through `pool` (a component role: serving processes never migrate).
    /// - Throws: ``MigrationError/Code/pending`` naming the first migration not applied (also when the
    ///   bookkeeping cannot be read, as before migration 0530 grants it),
    ///   ``MigrationError/Code/checksumMismatch``.
    public func requireApplied(using pool: PostgresConnectionPool) async throws(MigrationError) {
        for migration in migrations {
            let matches: QueryResult
            do {
                matches = try await pool.query(
                    """
                    SELECT checksum = encode(sha256(\(migration.scriptBytes)), 'hex')
                    FROM bilet_meta.schema_migrations WHERE version = \(Int32(migration.version))
                    """)
            } catch where error.sqlState.map({ [SQLState.insufficientPrivilege, .undefinedTable, .invalidSchemaName].contains($0) }) ?? false {
                throw MigrationError(.pending, "the database is not migrated (run `bilet db migrate`)")
            } catch {
                throw MigrationError(.database, "cannot read which migrations are applied", underlying: error)
            }
            guard let row = matches.first else {
                throw MigrationError(
                    .pending, "migration \(migration.version) (\(migration.name)) is not applied; run `bilet db migrate`",
                    version: migration.version)
            }
            guard (try? row.decode(Bool.self, at: 0)) == true else {
                throw MigrationError(
                    .checksumMismatch, "migration \(migration.version) (\(migration.name)) differs from the one applied",
                    version: migration.version)
            }
        }
    }

    private static let bootstrap: SQLScript = """
        CREATE SCHEMA IF NOT EXISTS bilet_meta;
        REVOKE ALL ON SCHEMA bilet_meta FROM PUBLIC;
        CREATE TABLE IF NOT EXISTS bilet_meta.schema_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            checksum text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """

    /// Applies one migration unless it is recorded; verifies the checksum when it is.
    private func apply(_ migration: Migration, using pool: PostgresConnectionPool) async throws(MigrationError) -> Bool {
        enum Outcome: Sendable {
            case applied
            case alreadyApplied
            case checksumMismatch
        }
        let outcome: Outcome = try await run(pool, step: "migration \(migration.version) (\(migration.name))", version: migration.version) { connection in
            try await connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            let checksum = try await connection
                .query("SELECT encode(sha256(\(migration.scriptBytes)), 'hex')")
                .singleValue(String.self)
            let recorded = try await connection.query(
                "SELECT checksum FROM bilet_meta.schema_migrations WHERE version = \(Int32(migration.version))")
            if let row = recorded.first {
                return try row.decode(String.self, at: 0) == checksum ? .alreadyApplied : .checksumMismatch
            }
            do throws(PostgresError) {
                try await connection.execute(script: migration.script)
            } catch {
                // Thrown out of the transaction so it rolls back, then reported as this migration's.
                throw MigrationScriptFailure(error: error)
            }
            try await connection.execute(
                """
                INSERT INTO bilet_meta.schema_migrations (version, name, checksum)
                VALUES (\(Int32(migration.version)), \(migration.name), \(checksum))
                """)
            return .applied
        }

        switch outcome {
        case .applied:
            logger.info("migration applied", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            return true
        case .alreadyApplied:
            return false
        case .checksumMismatch:
            throw MigrationError(
                .checksumMismatch,
                "migration \(migration.version) (\(migration.name)) changed after it was applied",
                version: migration.version)
        }
    }

    private struct MigrationScriptFailure: Error {
        let error: PostgresError
    }

    /// Runs `body` in a transaction, mapping failures to ``MigrationError``.
    private func run<Result: Sendable>(
        _ pool: PostgresConnectionPool,
        step: String,
        version: Int? = nil,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws(MigrationError) -> Result {
        do {
            return try await pool.withTransaction { connection in try await body(connection) }
        } catch let failure as MigrationScriptFailure {
            throw MigrationError(
                .migrationFailed, "\(step) failed and was rolled back", version: version,
                underlying: failure.error)
        } catch let error as PostgresError {
            throw MigrationError(.database, "\(step) failed", version: version, underlying: error)
        } catch {
            throw MigrationError(.database, "\(step) was interrupted")
        }
    }
}
