import GnuTLS

/// The two keys of one backup file: the AEAD key its chunks are sealed with and the MAC key of
/// the whole file.
///
/// Both come from the vault's master key, never stored with the backup:
/// `HKDF(master, "bilet/vault", "bilet vault v1 backup")` gives the backup root, and
/// `HKDF(root, salt: the file's random 16-byte id, info: "encryption" | "authentication")` the
/// file's own keys. The master key is what the operator's key file holds or what Argon2id makes of
/// the passphrase, so a backup opens only with the unseal material kept apart from it.
struct BackupKeys: Sendable {
    let encryption: SymmetricKey
    let authentication: SymmetricKey

    /// The keys of the backup `backupID` under `master`.
    init(master: SymmetricKey, backupID: [UInt8]) throws(BackupError) {
        let root: SymmetricKey
        do {
            root = try MasterKeyDerivation.derive(.backup, from: master)
        } catch {
            throw .crypto("backup root key derivation failed")
        }
        do {
            encryption = try HKDF.deriveKey(
                inputKeyMaterial: root, salt: backupID, info: Array("bilet backup v1 encryption".utf8), outputByteCount: 32)
            authentication = try HKDF.deriveKey(
                inputKeyMaterial: root, salt: backupID, info: Array("bilet backup v1 authentication".utf8), outputByteCount: 32)
        } catch {
            throw .crypto("backup key derivation failed (\(error.code.rawValue))")
        }
    }

    /// The master key `secret` gives under `seal`, and whether it is the vault's (its check tag
    /// matches). Argon2id runs on the calling thread for a passphrase.
    ///
    /// - Throws: ``BackupError/secretRejected(_:)`` when the secret cannot be used at all (the
    ///   other method, an unreadable key file, an empty passphrase); ``BackupError/tampered`` when
    ///   the seal's fields are malformed.
    static func master(for secret: UnsealSecret, seal: BackupSeal) throws(BackupError) -> (key: SymmetricKey, matches: Bool) {
        let record = try seal.record()
        do {
            let master = try MasterKeyDerivation.masterKey(for: secret, record: record)
            return (master, try MasterKeyDerivation.verify(master, against: record))
        } catch {
            throw .secretRejected(error.description)
        }
    }
}
