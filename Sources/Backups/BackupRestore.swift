package import Audit
import Foundation
package import Policy
package import PostgreSQL
package import Vault

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `bilet backup restore`: a verified backup into an empty database, then the checks that make a
/// restored snapshot safe to use.
///
/// In order, stopping at the first failure:
/// 1. the backup is verified whole with the unseal material (nothing is restored from a tampered,
///    truncated or wrong-key file);
/// 2. the live destruction register (outside the snapshot) is read, so a restore never starts
///    without knowing what was erased since;
/// 3. the target must be empty (no table, no schema of its own);
/// 4. the component roles the manifest names are created (login only, never more), the dump is
///    decrypted straight into `pg_restore --single-transaction --exit-on-error`, the roles' settings
///    are given back and the database's own grant is repeated (`REVOKE CREATE, TEMPORARY … FROM PUBLIC`);
/// 5. the restored audit log is recomputed and checked against its signed checkpoints and the ones
///    saved outside the database up to the backup's newest (which must be among them);
/// 6. every live register entry the restored register does not hold is re-applied through the
///    vault's erasure path (``Vault/reapply(_:by:)``), reading the live register again until nothing
///    new appears, so a restored backup never resurrects an erased child — also when step 5 found
///    the log not intact (reported after this step). Any failure between the load and the end of
///    this step drops what was restored, and so does an unverified log with an erasure not re-applied.
package enum BackupRestore {
    /// The actor the restore's own audit records and register entries name.
    package static let actor = "service:backup-restore"

    /// Restores `backup` into the empty database `target` (as its owner).
    ///
    /// - Parameters:
    ///   - live: the database the platform runs on now (as its owner): its destruction register is
    ///     the one re-applied. Never written.
    ///   - checkpointDirectory: where the sequencer saves checkpoints outside the database.
    ///   - logKey: the audit log's verifier key.
    /// - Throws: every ``BackupError`` of verification, ``BackupError/targetNotEmpty``,
    ///   ``BackupError/databaseTool(_:)``, ``BackupError/checkpointNotSaved(sequence:)``,
    ///   ``BackupError/auditLogNotVerified(findings:)``, ``BackupError/storage(_:)``.
    package static func restore(
        backup: String, secret: UnsealSecret, target: PostgresConfiguration, live: PostgresConfiguration,
        checkpointDirectory: String, logKey: NoteVerifierKey, policies: PolicyStore,
        vaultConfiguration: VaultConfiguration = VaultConfiguration()
    ) async throws(BackupError) -> RestoreReport {
        // The one Argon2id of the restore: the verified backup carries the master key to the
        // second pass and to the restored vault's unseal.
        let verified = try await BlockingBackupWork.run { () throws(BackupError) in try BackupReader.open(at: backup, secret: secret) }
        let summary = verified.summary
        let saved = try SavedCheckpoints.usable(in: checkpointDirectory, for: summary.manifest)
        // Read once before anything is restored: a restore never starts without the live register.
        _ = try await liveRegister(live, policies: policies)
        do {
            return try await PostgresConnectionPool.using(configuration: target, maxConnections: 2) { pool in
                try await requireEmpty(pool)
                // Whatever fails after the load, the erasures since the backup are re-applied first or
                // the restored data is removed: a failed restore never leaves an erased child's data.
                // The log is verified as the backup left it, before the re-applications append to it.
                let audit: AuditVerificationReport
                let reapplied: [RestoreReport.Reapplication]
                do {
                    try await load(verified, into: pool, target: target)
                    audit = try await AuditQueryService(
                        reader: pool, recorder: pool, officer: actor, purpose: "backup_restore"
                    ).verify(logKey: logKey, savedCheckpoints: saved)
                    let vault = Vault(pool: pool, policies: policies, audit: AuditLog(), configuration: vaultConfiguration)
                    try await vault.unseal(with: verified, by: actor)
                    reapplied = try await reapplyErasures(from: live, policies: policies, to: vault)
                    _ = try await vault.seal(by: actor)
                } catch {
                    try await removeRestored(pool)
                    throw error
                }
                let report = RestoreReport(
                    summary: summary, auditRecordsChecked: audit.recordsChecked, auditCheckpointsVerified: audit.checkpointsVerified,
                    savedCheckpointsUsed: saved.count, reapplied: reapplied)
                // An erasure that could not be re-applied leaves an erased child's data in the
                // restored database: it is removed, whatever the log says (the report names the
                // entries). Only a database with nothing erased left in it stays for inspection.
                if !report.isComplete { try await removeRestored(pool) }
                guard audit.isIntact else { throw BackupError.auditLogNotVerified(findings: audit.findings.count) }
                return report
            }
        } catch let error as BackupError {
            throw error
        } catch let error as VaultError {
            throw .storage("the restored vault refused: \(error.code.rawValue)")
        } catch let error as AuditError {
            throw .storage("the restored audit log cannot be read: \(error.code.rawValue)")
        } catch let error as PostgresError {
            throw .storage("the target database failed (\(error.sqlState?.rawValue ?? "connection"))")
        } catch {
            throw .storage("the restore failed")
        }
    }

    /// Re-applies to the restored `vault` every entry of the live destruction register that the
    /// restored register does not hold, oldest first.
    ///
    /// No time filter: an entry's `destroyed_at` is taken when its row is inserted, before the rest of
    /// the erasure and its commit, so an erasure timed before the backup's snapshot may have committed
    /// after it and be in neither. An entry is skipped only when the snapshot holds the same row. The
    /// live register is read again after each pass until a pass finds nothing new, so erasures made
    /// while the restore runs are re-applied too.
    private static func reapplyErasures(
        from live: PostgresConfiguration, policies: PolicyStore, to vault: Vault
    ) async throws -> [RestoreReport.Reapplication] {
        var handled = Set(try await vault.destructionRegister(limit: Int.max))
        var reapplied: [RestoreReport.Reapplication] = []
        while true {
            let pending = try await liveRegister(live, policies: policies)
                .filter { !handled.contains($0) }.sorted { $0.destroyedAt < $1.destroyedAt }
            guard !pending.isEmpty else { return reapplied }
            for entry in pending {
                handled.insert(entry)
                do throws(VaultError) {
                    reapplied.append(.init(entry: entry, outcome: .success(try await vault.reapply(entry, by: actor))))
                } catch {
                    reapplied.append(.init(entry: entry, outcome: .failure(error)))
                }
            }
        }
    }

    /// The destruction register of the live database, newest first.
    private static func liveRegister(_ live: PostgresConfiguration, policies: PolicyStore) async throws(BackupError) -> [RestoreReport.Entry] {
        do {
            return try await PostgresConnectionPool.using(configuration: live) { pool in
                try await Vault(pool: pool, policies: policies, audit: AuditLog()).destructionRegister(limit: Int.max)
            }
        } catch {
            throw .storage("cannot read the live destruction register")
        }
    }

    /// Refuses a database that holds any relation or schema of its own.
    private static func requireEmpty(_ pool: PostgresConnectionPool) async throws {
        let count = try await pool.query(
            """
            SELECT (SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_to%')
                 + (SELECT count(*) FROM pg_catalog.pg_namespace
                    WHERE nspname NOT IN ('public', 'pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%')
            """
        ).singleValue(Int64.self)
        guard count == 0 else { throw BackupError.targetNotEmpty }
    }

    /// Drops every schema the restore made (all but `public` and the system's), after a failure
    /// that came before the erasures were re-applied.
    ///
    /// - Throws: ``BackupError/storage(_:)`` when they cannot be dropped: the target must then be
    ///   dropped by hand and never used.
    private static func removeRestored(_ pool: PostgresConnectionPool) async throws(BackupError) {
        do {
            try await pool.withTransaction { connection in
                let schemas = try await connection.query(
                    """
                    SELECT nspname FROM pg_catalog.pg_namespace
                    WHERE nspname NOT IN ('public', 'information_schema') AND nspname NOT LIKE 'pg\\_%'
                    """
                ).map { try $0.decode(String.self, at: 0) }
                for schema in schemas {
                    try await connection.execute("DROP SCHEMA \(identifier: try SQLIdentifier(schema)) CASCADE")
                }
            }
        } catch {
            throw .storage("the restore failed and what it restored cannot be removed: drop the target database, never use it")
        }
    }

    /// Creates the component roles the backup names, restores the dump, gives the roles their
    /// settings again and repeats the database-level grant.
    private static func load(_ backup: VerifiedBackup, into pool: PostgresConnectionPool, target: PostgresConfiguration) async throws {
        let manifest = backup.summary.manifest
        for role in manifest.roles {
            try await createRole(role.name, on: pool)
        }
        _ = try await BlockingBackupWork.run { () throws(BackupError) in
            // A pg_restore that stops reading must fail the write, not kill bilet.
            signal(SIGPIPE, SIG_IGN)
            // An empty --dbname makes pg_restore connect (without one it prints SQL); libpq ignores the
            // empty value, so every setting comes from the environment and none is an argument.
            let restore = try DatabaseToolProcess(
                "pg_restore", ["--no-owner", "--single-transaction", "--exit-on-error", "--no-password", "--dbname="],
                configuration: target, feeding: true)
            do throws(BackupError) {
                let summary = try BackupReader.decrypt(backup, into: restore.write)
                try restore.finish()
                return summary
            } catch {
                restore.abandon()
                throw error
            }
        }
        // The settings go through the restored schema's own idempotent helper (migration 0841).
        for role in manifest.roles {
            for setting in role.settings {
                guard let equals = setting.firstIndex(of: "=") else { continue }
                let name = String(setting[..<equals])
                let value = String(setting[setting.index(after: equals)...])
                _ = try await pool.query("SELECT bilet_meta.require_role_setting(\(role.name), \(name), \(value))")
            }
        }
        let name = try await pool.query("SELECT current_database()").singleValue(String.self)
        try await pool.execute("REVOKE CREATE, TEMPORARY ON DATABASE \(identifier: try SQLIdentifier(name)) FROM PUBLIC")
        try await rebaseAuditTransactionIDs(pool)
    }

    /// Puts every transaction of the target's cluster after every restored audit event in the
    /// sequencer's order (`audit.rebase_xids()`, migration 0910): transaction ids restart in every
    /// cluster, and without it a fresh cluster's events would sort below the restored cursor. Runs
    /// before anything writes to the restored log. A backup made before migration 0910 has no such
    /// function: it is refused when its events' ids are not below the target cluster's (its log
    /// would break at the restore's first record), and what was restored is removed.
    private static func rebaseAuditTransactionIDs(_ pool: PostgresConnectionPool) async throws {
        let present = try await pool.query("SELECT to_regprocedure('audit.rebase_xids()') IS NOT NULL").singleValue(Bool.self)
        if present {
            _ = try await pool.query("SELECT audit.rebase_xids()")
            return
        }
        let ordered = try await pool.query(
            "SELECT NOT EXISTS (SELECT 1 FROM audit.events WHERE xid >= pg_snapshot_xmin(pg_current_snapshot()))"
        ).singleValue(Bool.self)
        guard ordered else {
            throw BackupError.storage("the backup predates migration 0910 and cannot be restored into another cluster")
        }
    }

    /// Creates a component role with no power beyond logging in, unless the cluster has it already
    /// (roles are cluster-wide; another database may be creating it at the same moment); a role of
    /// that name with more power is refused. The same steps as `bilet_meta.create_component_role`
    /// (migration 0530), which the empty target does not have yet.
    private static func createRole(_ name: String, on pool: PostgresConnectionPool) async throws {
        guard name.hasPrefix("bilet_") else { throw BackupError.tampered }
        let role = try SQLIdentifier(name)
        do {
            try await pool.execute("CREATE ROLE \(identifier: role) LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")
        } catch {
            // It exists already (or was created at the same moment): checked below.
            guard error.sqlState == .duplicateObject || error.sqlState == .uniqueViolation else { throw error }
        }
        let powerful = try await pool.query(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = \(name)"
        ).singleValue(Bool.self)
        guard !powerful else { throw BackupError.storage("the target cluster's role \(name) has more power than a component role may") }
    }
}
