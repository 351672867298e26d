import Foundation
import GnuTLS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an encrypted backup file (``BackupFormat``) from a dump read chunk by chunk.
///
/// The file is created new (never overwriting) with mode 0600; if anything fails it is removed,
/// so a half-written backup never remains to be mistaken for a good one.
public enum BackupWriter {
    /// Encrypts what `read` returns (until it returns no bytes) into a new file at `path`.
    ///
    /// The master key comes from `secret` and is checked against the manifest's seal before
    /// anything is written: a secret that is not the vault's is refused, so no backup exists that
    /// its operator cannot open. Argon2id (passphrase) runs on the calling thread.
    ///
    /// - Parameter read: returns the dump's next bytes, at most `maximum`; an empty array at the end.
    /// - Throws: ``BackupError/wrongKey``, ``BackupError/secretRejected(_:)``, ``BackupError/io(_:)``,
    ///   ``BackupError/crypto(_:)``, or whatever `read` throws.
    public static func write(
        to path: String, manifest: BackupManifest, secret: UnsealSecret,
        read: (_ maximum: Int) throws(BackupError) -> [UInt8]
    ) throws(BackupError) -> BackupSummary {
        let (master, matches) = try BackupKeys.master(for: secret, seal: manifest.seal)
        guard matches else { throw .wrongKey }
        let backupID: [UInt8]
        do {
            backupID = try SecureRandom.bytes(count: BackupFormat.backupIDByteCount, level: .random)
        } catch {
            throw .crypto("random generation failed (\(error.code.rawValue))")
        }
        let keys = try BackupKeys(master: master, backupID: backupID)
        // The summary reports the manifest as the file holds it (times to the whole second, rounded
        // down), so that create and verify print the same.
        let header: [UInt8]
        let written: BackupManifest
        do {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.sortedKeys]
            header = Array(try encoder.encode(manifest))
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            written = try decoder.decode(BackupManifest.self, from: Data(header))
        } catch {
            throw .io("the manifest cannot be encoded")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .io("cannot create the backup file (it may exist already)") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        var succeeded = false
        defer {
            try? handle.close()
            if !succeeded { try? FileManager.default.removeItem(atPath: path) }
        }
        let digest = try RunningDigest()
        func emit(_ bytes: [UInt8]) throws(BackupError) {
            try digest.update(bytes)
            do {
                try handle.write(contentsOf: bytes)
            } catch {
                throw .io("cannot write the backup file")
            }
        }
        try emit(
            BackupFormat.magic + BackupFormat.bigEndian(BackupFormat.version) + backupID
                + BackupFormat.bigEndian(UInt32(header.count)) + header)
        var dumpByteCount: UInt64 = 0
        var index: UInt64 = 0
        while true {
            let chunk = try read(BackupFormat.chunkByteCount)
            if chunk.isEmpty { break }
            let sealed: SealedBox
            do {
                sealed = try AEAD.seal(
                    chunk, using: keys.encryption,
                    authenticating: BackupFormat.associatedData(backupID: backupID, index: index))
            } catch {
                throw .crypto("encryption failed (\(error.code.rawValue))")
            }
            try emit([BackupFormat.chunkKind] + BackupFormat.bigEndian(UInt32(sealed.combined.count)) + sealed.combined)
            dumpByteCount += UInt64(chunk.count)
            index += 1
        }
        try emit([BackupFormat.trailerKind] + BackupFormat.bigEndian(dumpByteCount) + BackupFormat.bigEndian(index))
        let contents = try digest.value()
        let mac: [UInt8]
        do {
            mac = try HMAC.authenticationCode(for: contents, using: keys.authentication)
        } catch {
            throw .crypto("MAC failed (\(error.code.rawValue))")
        }
        do {
            try handle.write(contentsOf: contents + mac)
            try handle.synchronize()
        } catch {
            throw .io("cannot write the backup file")
        }
        succeeded = true
        return BackupSummary(manifest: written, dumpByteCount: dumpByteCount, chunkCount: index)
    }
}
