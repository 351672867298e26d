import Argon2
import GnuTLS

/// How the master key was set up, as stored in `vault.seal`: the method, the Argon2id salt and
/// parameters (for a passphrase), and a check tag that tells a wrong secret from a right one.
struct SealRecord: Sendable {
    var method: String
    var salt: [UInt8]?
    var parameters: Argon2id.Parameters?
    /// HMAC-SHA-256 under a key derived from the master key of ``MasterKeyDerivation/checkMessage``.
    var checkTag: [UInt8]
}

/// Turns an ``UnsealSecret`` into the 32-byte master key, and the master key into the keys derived
/// from it.
///
/// Derived keys (HKDF-SHA-256, salt `bilet/vault`, one info string each) never share a purpose:
/// the check key, the KEK-wrapping key, the blind-index key, the audit keyed-hash source and the
/// backup root (from which each backup file's own keys are derived, see ``BackupKeys``).
enum MasterKeyDerivation {
    static let masterKeyByteCount = 32
    static let checkMessage = Array("bilet vault master key check v1".utf8)
    static let hkdfSalt = Array("bilet/vault".utf8)

    enum Purpose: String {
        case check = "bilet vault v1 check"
        case kekWrapping = "bilet vault v1 kek wrapping"
        case blindIndex = "bilet vault v1 blind index"
        case auditHashSource = "bilet vault v1 audit keyed hash source"
        case backup = "bilet vault v1 backup"
    }

    /// The master key for `secret`. Argon2id runs on the calling thread: call this from a thread
    /// that may block (see ``BlockingWork``).
    static func masterKey(for secret: UnsealSecret, record: SealRecord) throws(VaultError) -> SymmetricKey {
        switch secret {
        case .keyFile(let path):
            guard record.method == "key_file" else {
                throw VaultError(.wrongSecret, reason: "this vault is sealed with a passphrase, not a key file")
            }
            return try KeyFile.read(path: path)
        case .passphrase(let passphrase):
            guard record.method == "passphrase", let salt = record.salt, let parameters = record.parameters else {
                throw VaultError(.wrongSecret, reason: "this vault is sealed with a key file, not a passphrase")
            }
            return try derive(passphrase: passphrase, salt: salt, parameters: parameters)
        }
    }

    static func derive(passphrase: Passphrase, salt: [UInt8], parameters: Argon2id.Parameters) throws(VaultError) -> SymmetricKey {
        guard !passphrase.bytes.isEmpty, passphrase.bytes.count <= Argon2id.maximumPasswordLength else {
            throw VaultError(.passphraseRejected, reason: "the passphrase is empty or too long")
        }
        do {
            var bytes = try Argon2id.deriveKey(
                passphrase: passphrase.bytes, salt: salt, parameters: parameters, byteCount: masterKeyByteCount)
            return SymmetricKey(zeroingAfterCopy: &bytes)
        } catch {
            throw VaultError(.crypto, reason: "Argon2id failed (\(error.code.rawValue))")
        }
    }

    static func derive(_ purpose: Purpose, from master: SymmetricKey) throws(VaultError) -> SymmetricKey {
        do {
            return try HKDF.deriveKey(
                inputKeyMaterial: master, salt: hkdfSalt, info: Array(purpose.rawValue.utf8), outputByteCount: 32)
        } catch {
            throw VaultError(.crypto, reason: "key derivation failed (\(error.code.rawValue))")
        }
    }

    /// The check tag of `master`.
    static func checkTag(of master: SymmetricKey) throws(VaultError) -> [UInt8] {
        let key = try derive(.check, from: master)
        do {
            return try HMAC.authenticationCode(for: checkMessage, using: key)
        } catch {
            throw VaultError(.crypto, reason: "check tag failed (\(error.code.rawValue))")
        }
    }

    /// Whether `master` is the key `record` was set up with (constant-time comparison).
    static func verify(_ master: SymmetricKey, against record: SealRecord) throws(VaultError) -> Bool {
        ConstantTime.equals(try checkTag(of: master), record.checkTag)
    }
}
