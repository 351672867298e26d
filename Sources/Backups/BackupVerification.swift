package import Vault

/// `bilet backup verify`: the whole file checked on a dispatch thread (Argon2id and file reads
/// block), without any database.
package enum BackupVerification {
    /// Checks the backup at `path` with `secret`; see ``BackupReader/verify(at:secret:)``.
    package static func verify(at path: String, secret: UnsealSecret) async throws(BackupError) -> BackupSummary {
        try await BlockingBackupWork.run { () throws(BackupError) in try BackupReader.verify(at: path, secret: secret) }
    }
}
