import Foundation
import GnuTLS

/// Reads an encrypted backup file (``BackupFormat``): checks it whole, and decrypts it.
///
/// Verification reads the file once: the header, each chunk (decrypted and discarded) and the
/// trailer, and compares the digest and the MAC. Its refusals are distinct:
/// ``BackupError/notABackup``, ``BackupError/unsupportedVersion(_:)``, ``BackupError/truncated``
/// (the file ends before its trailer), ``BackupError/tampered`` (the digest, the MAC or a chunk's
/// tag does not match, or the structure was changed), ``BackupError/wrongKey`` (the file is as
/// written, but the secret does not give the vault's master key).
public enum BackupReader {
    /// Checks the backup at `path` completely with `secret`, without writing anything.
    public static func verify(at path: String, secret: UnsealSecret) throws(BackupError) -> BackupSummary {
        try open(at: path, secret: secret).summary
    }

    /// Checks the backup at `path` completely with `secret` (the one pass that runs Argon2id) and
    /// keeps what a restore needs: the master key, and the file's identity to be sure the second
    /// pass (``decrypt(_:into:)``) reads the same file.
    public static func open(at path: String, secret: UnsealSecret) throws(BackupError) -> VerifiedBackup {
        var opened: (master: SymmetricKey, identity: VerifiedBackup.FileIdentity, backupID: [UInt8])?
        let summary = try read(at: path, keys: .secret(secret), opened: { opened = $0 }) { _ in }
        guard let opened else { throw .crypto("the backup was verified without keys") }
        return VerifiedBackup(
            summary: summary, path: path, master: opened.master, identity: opened.identity, backupID: opened.backupID)
    }

    /// Decrypts a backup verified by ``open(at:secret:)`` a second time into `sink`, chunk by chunk,
    /// with the keys of the first pass. Before anything reaches `sink` the file must be the one
    /// verified (same device, inode, size and modification time, same backup id); its chunks open
    /// only under that backup's keys and the trailer is checked again at the end.
    ///
    /// - Throws: ``BackupError/tampered`` when the file changed since it was verified, and every
    ///   error of verification.
    public static func decrypt(_ backup: VerifiedBackup, into sink: ([UInt8]) throws(BackupError) -> Void) throws(BackupError) -> BackupSummary {
        try read(at: backup.path, keys: .verified(backup), opened: { _ in }, into: sink)
    }

    /// Where a pass gets its keys: from the secret (Argon2id, the first pass), or from the backup
    /// the first pass verified.
    private enum KeySource {
        case secret(UnsealSecret)
        case verified(VerifiedBackup)
    }

    private static func read(
        at path: String, keys source: KeySource,
        opened: ((master: SymmetricKey, identity: VerifiedBackup.FileIdentity, backupID: [UInt8])) -> Void,
        into sink: ([UInt8]) throws(BackupError) -> Void
    ) throws(BackupError) -> BackupSummary {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .io("cannot open the backup file") }
        defer { try? handle.close() }
        if case .verified(let backup) = source, try VerifiedBackup.FileIdentity(of: handle.fileDescriptor) != backup.identity {
            throw .tampered
        }
        let digest = try RunningDigest()
        /// Exactly `count` bytes, hashed; ``BackupError/truncated`` if the file ends first.
        func take(_ count: Int) throws(BackupError) -> [UInt8] {
            let bytes: [UInt8]
            do {
                bytes = Array(try handle.read(upToCount: count) ?? Data())
            } catch {
                throw .io("cannot read the backup file")
            }
            guard bytes.count == count else { throw .truncated }
            try digest.update(bytes)
            return bytes
        }

        let magic: [UInt8]
        do {
            magic = try take(BackupFormat.magic.count)
        } catch {
            throw error == .truncated ? .notABackup : error
        }
        guard magic == BackupFormat.magic else { throw .notABackup }
        let version = BackupFormat.integer(UInt16.self, from: try take(2))
        guard version == BackupFormat.version else { throw .unsupportedVersion(version) }
        let backupID = try take(BackupFormat.backupIDByteCount)
        let headerCount = Int(BackupFormat.integer(UInt32.self, from: try take(4)))
        guard headerCount <= BackupFormat.maximumHeaderByteCount else { throw .tampered }
        let header = try take(headerCount)
        let manifest: BackupManifest
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            manifest = try decoder.decode(BackupManifest.self, from: Data(header))
        } catch {
            throw .tampered
        }
        let master: SymmetricKey
        let matches: Bool
        switch source {
        case .secret(let secret):
            (master, matches) = try BackupKeys.master(for: secret, seal: manifest.seal)
        case .verified(let backup):
            guard backupID == backup.backupID, manifest == backup.summary.manifest else { throw .tampered }
            (master, matches) = (backup.master, true)
        }
        let keys = try BackupKeys(master: master, backupID: backupID)

        // With a secret whose check tag does not match, nothing is decrypted: the file is only read
        // to its digest, which says whether it is damaged (tampered) or intact (a wrong key).
        var index: UInt64 = 0
        var dumpByteCount: UInt64 = 0
        while true {
            let kind = try take(1)[0]
            if kind == BackupFormat.trailerKind { break }
            guard kind == BackupFormat.chunkKind else { throw .tampered }
            let count = Int(BackupFormat.integer(UInt32.self, from: try take(4)))
            guard count <= BackupFormat.maximumSealedChunkByteCount else { throw .tampered }
            let sealed = try take(count)
            if matches {
                let plaintext: [UInt8]
                do {
                    plaintext = try AEAD.open(
                        try SealedBox(combined: sealed), using: keys.encryption,
                        authenticating: BackupFormat.associatedData(backupID: backupID, index: index))
                } catch {
                    throw .tampered
                }
                dumpByteCount += UInt64(plaintext.count)
                try sink(plaintext)
            }
            index += 1
        }
        let sizes = try take(16)
        let statedSize = BackupFormat.integer(UInt64.self, from: Array(sizes[0..<8]))
        let statedChunks = BackupFormat.integer(UInt64.self, from: Array(sizes[8..<16]))
        let contents = try digest.value()
        let ending: [UInt8]
        do {
            ending = Array(try handle.read(upToCount: BackupFormat.digestByteCount + BackupFormat.macByteCount + 1) ?? Data())
        } catch {
            throw .io("cannot read the backup file")
        }
        guard ending.count >= BackupFormat.digestByteCount + BackupFormat.macByteCount else { throw .truncated }
        guard ending.count == BackupFormat.digestByteCount + BackupFormat.macByteCount,
            ConstantTime.equals(Array(ending[0..<BackupFormat.digestByteCount]), contents)
        else { throw .tampered }
        guard matches else { throw .wrongKey }
        let expected: [UInt8]
        do {
            expected = try HMAC.authenticationCode(for: contents, using: keys.authentication)
        } catch {
            throw .crypto("MAC failed (\(error.code.rawValue))")
        }
        guard ConstantTime.equals(Array(ending[BackupFormat.digestByteCount...]), expected) else { throw .tampered }
        guard statedChunks == index, statedSize == dumpByteCount else { throw .tampered }
        // The identity as it is after the whole file verified: the second pass must find it unchanged.
        opened((master, try VerifiedBackup.FileIdentity(of: handle.fileDescriptor), backupID))
        return BackupSummary(manifest: manifest, dumpByteCount: dumpByteCount, chunkCount: index)
    }
}
