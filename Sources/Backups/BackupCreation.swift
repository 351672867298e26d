import Foundation
package import PostgreSQL
package import Vault

/// `bilet backup create`: one consistent `pg_dump` of bilet's database, encrypted into a backup
/// file whose keys derive from the vault's master key.
///
/// Consistency: a REPEATABLE READ transaction exports its snapshot; the manifest (time, newest
/// migration, newest signed audit checkpoint, the vault's seal, the component roles and their
/// settings, which live outside the database and so outside the dump) is read in that transaction and
/// `pg_dump --snapshot` dumps exactly that snapshot, so manifest and dump describe the same moment.
package enum BackupCreation {
    /// Writes a new backup of the database `owner` reaches (as the database owner) to `path`,
    /// opened by `secret` (the vault's key file or passphrase).
    ///
    /// - Throws: ``BackupError/vaultNotInitialised``, ``BackupError/wrongKey`` (the secret is not the
    ///   vault's: no backup is written), ``BackupError/databaseTool(_:)``, ``BackupError/storage(_:)``,
    ///   ``BackupError/io(_:)``.
    package static func create(
        owner: PostgresConfiguration, to path: String, secret: UnsealSecret
    ) async throws(BackupError) -> BackupSummary {
        do {
            return try await PostgresConnectionPool.using(configuration: owner) { pool in try await pool.withTransaction(isolation: .repeatableRead) { connection in
                let snapshot = try await connection.query("SELECT pg_export_snapshot()").singleValue(String.self)
                let manifest = try await manifest(on: connection)
                return try await BlockingBackupWork.run { () throws(BackupError) in
                    let dump = try DatabaseToolProcess(
                        "pg_dump", ["--format=custom", "--snapshot=\(snapshot)", "--no-password"], configuration: owner,
                        feeding: false)
                    do throws(BackupError) {
                        return try BackupWriter.write(to: path, manifest: manifest, secret: secret, read: dump.read)
                    } catch {
                        dump.abandon()
                        throw error
                    }
                }
            } }
        } catch let error as BackupError {
            throw error
        } catch let error as PostgresError {
            throw .storage("cannot read the database for the backup (\(error.sqlState?.rawValue ?? "connection"))")
        } catch {
            throw .storage("cannot read the database for the backup")
        }
    }

    /// The manifest of the snapshot `connection`'s transaction sees.
    private static func manifest(on connection: PostgresConnection) async throws -> BackupManifest {
        let createdAt = try await connection.query("SELECT now()").singleValue(Date.self)
        let migrations = try await connection.query("SELECT max(version) FROM bilet_meta.schema_migrations").singleValue(Int?.self)
        let rows = try await connection.query(
            "SELECT sequence, tree_size, root_hash, signed_at FROM audit.checkpoints ORDER BY sequence DESC LIMIT 1")
        let checkpoint = try rows.first.map { row in
            BackupManifest.Checkpoint(
                sequence: try row.decode(Int64.self, at: 0), treeSize: try row.decode(Int64.self, at: 1),
                rootHash: BackupManifest.Checkpoint.hex(try row.decode([UInt8].self, at: 2)),
                signedAt: try row.decode(Date.self, at: 3))
        }
        let roles = try await connection.query(
            """
            SELECT r.rolname, coalesce(array_to_string(s.setconfig, E'\\n'), '')
            FROM pg_catalog.pg_roles r
            LEFT JOIN pg_catalog.pg_db_role_setting s ON s.setrole = r.oid AND s.setdatabase = 0
            WHERE r.rolname LIKE 'bilet\\_%' ORDER BY r.rolname
            """
        ).map { row in BackupManifest.Role(name: try row.decode(String.self, at: 0), settings: try row.decode(String.self, at: 1).split(separator: "\n").map(String.init)) }
        return BackupManifest(
            createdAt: createdAt, migrationsVersion: migrations ?? 0, newestCheckpoint: checkpoint, dumpFormat: "custom",
            seal: try await BackupSeal.load(from: connection), roles: roles)
    }
}
