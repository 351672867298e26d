import GnuTLS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A backup file checked whole by ``BackupReader/open(at:secret:)``: its summary, and what a restore
/// needs to use it without deriving the master key again (Argon2id runs once per restore): the master
/// key, the backup's id and the file's identity, so that the second pass reads the file verified.
///
/// The master key stays inside the vault target: a restore hands this value to
/// ``BackupReader/decrypt(_:into:)`` and to the restored vault's `unseal(with:by:)`.
public struct VerifiedBackup: Sendable {
    /// The file's device, inode, size and modification time as the verification left them.
    struct FileIdentity: Hashable, Sendable {
        let device: UInt64
        let inode: UInt64
        let size: Int64
        let modifiedSeconds: Int64
        let modifiedNanoseconds: Int64

        /// The identity of the open file `descriptor`.
        init(of descriptor: Int32) throws(BackupError) {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw .io("cannot inspect the backup file") }
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
            size = Int64(status.st_size)
            #if canImport(Darwin)
            modifiedSeconds = Int64(status.st_mtimespec.tv_sec)
            modifiedNanoseconds = Int64(status.st_mtimespec.tv_nsec)
            #else
            modifiedSeconds = Int64(status.st_mtim.tv_sec)
            modifiedNanoseconds = Int64(status.st_mtim.tv_nsec)
            #endif
        }
    }

    /// What the backup says about itself.
    public let summary: BackupSummary
    let path: String
    let master: SymmetricKey
    let identity: FileIdentity
    let backupID: [UInt8]
}
