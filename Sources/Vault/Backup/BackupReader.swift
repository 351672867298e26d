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
        try read(at: path, secret: secret) { _ in }
    }

    /// Verifies the backup at `path`, then decrypts it a second time into `sink`, chunk by chunk.
    /// Nothing reaches `sink` unless the whole file verified first.
    public static func decrypt(
        at path: String, secret: UnsealSecret, into sink: ([UInt8]) throws(BackupError) -> Void
    ) throws(BackupError) -> BackupSummary {
        _ = try verify(at: path, secret: secret)
        return try read(at: path, secret: secret, into: sink)
    }

    private static func read(
        at path: String, secret: UnsealSecret, into sink: ([UInt8]) throws(BackupError) -> Void
    ) throws(BackupError) -> BackupSummary {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .io("cannot open the backup file") }
        defer { try? handle.close() }
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
        let (master, matches) = try BackupKeys.master(for: secret, seal: manifest.seal)
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
        return BackupSummary(manifest: manifest, dumpByteCount: dumpByteCount, chunkCount: index)
    }
}
