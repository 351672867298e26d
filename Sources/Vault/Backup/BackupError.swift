/// Every refusal and failure of `bilet backup`, each with a stable ``code``.
///
/// The description is fixed text written by bilet: never a value from the dump, key bytes, a
/// passphrase or a raw server message. A command maps each case to its own exit message, so an
/// operator can tell a tampered file from a truncated one and from a wrong key.
public enum BackupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file does not start with bilet's backup magic: not a backup at all.
    case notABackup
    /// A backup of a format version this bilet does not read.
    case unsupportedVersion(UInt16)
    /// The file ends before its trailer: cut short in copying or writing.
    case truncated
    /// The file's bytes are not the ones written: its MAC or a chunk's AEAD tag does not match,
    /// or its structure (header, record kinds, sizes) was changed.
    case tampered
    /// The unseal material given is not the one of the vault the backup was made from.
    case wrongKey
    /// The key file or passphrase was refused before any key was derived (unreadable key file,
    /// empty passphrase, the other unseal method).
    case secretRejected(String)
    /// The database has no vault key hierarchy: nothing to derive the backup key from.
    case vaultNotInitialised
    /// `pg_dump` or `pg_restore` failed; the reason is bilet's summary, not the program's output.
    case databaseTool(String)
    /// The database could not be read (manifest facts, emptiness check).
    case storage(String)
    /// The restore target already holds tables: a restore only goes into an empty database.
    case targetNotEmpty
    /// No checkpoint saved outside the database matches the backup's newest checkpoint, so the
    /// restored audit log cannot be checked against an independent copy.
    case checkpointNotSaved(sequence: Int64)
    /// The restored audit log does not verify against its checkpoints and the saved copies; the
    /// number of problems found (the restored database is left for inspection, not used).
    case auditLogNotVerified(findings: Int)
    /// Reading or writing a file failed.
    case io(String)
    /// The crypto library failed (not a verification failure).
    case crypto(String)

    /// A stable code for scripts and logs.
    public var code: String {
        switch self {
        case .notABackup: "backup.not_a_backup"
        case .unsupportedVersion: "backup.unsupported_version"
        case .truncated: "backup.truncated"
        case .tampered: "backup.tampered"
        case .wrongKey: "backup.wrong_key"
        case .secretRejected: "backup.secret_rejected"
        case .vaultNotInitialised: "backup.vault_not_initialised"
        case .databaseTool: "backup.database_tool"
        case .storage: "backup.storage"
        case .targetNotEmpty: "backup.target_not_empty"
        case .checkpointNotSaved: "backup.checkpoint_not_saved"
        case .auditLogNotVerified: "backup.audit_log_not_verified"
        case .io: "backup.io"
        case .crypto: "backup.crypto"
        }
    }

    public var description: String {
        switch self {
        case .notABackup: "\(code): the file is not a bilet backup"
        case .unsupportedVersion(let version): "\(code): backup format version \(version) is not supported"
        case .truncated: "\(code): the backup ends early (truncated); it cannot be used"
        case .tampered: "\(code): the backup's contents do not match its MAC (modified or corrupted); it cannot be used"
        case .wrongKey: "\(code): the key file or passphrase is not the one of the vault this backup was made from"
        case .secretRejected(let reason): "\(code): \(reason)"
        case .vaultNotInitialised: "\(code): the database has no vault key hierarchy (`bilet vault init`)"
        case .databaseTool(let reason): "\(code): \(reason)"
        case .storage(let reason): "\(code): \(reason)"
        case .targetNotEmpty: "\(code): the target database is not empty; restore only goes into an empty one"
        case .checkpointNotSaved(let sequence):
            "\(code): no checkpoint file outside the database matches the backup's newest checkpoint \(sequence)"
        case .auditLogNotVerified(let findings):
            "\(code): the restored audit log does not verify (\(findings) problem(s)); see `bilet audit verify` on the restored database"
        case .io(let reason): "\(code): \(reason)"
        case .crypto(let reason): "\(code): \(reason)"
        }
    }
}
