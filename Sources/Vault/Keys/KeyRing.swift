import GnuTLS
import Synchronization

/// The keys of an unsealed vault, in memory only: the keys derived from the master key and the
/// unwrapped key-encryption keys by version.
///
/// Sealing drops the ring; ``SymmetricKey`` zeroes each key when its last reference goes (an
/// operation already running finishes with the keys it holds).
final class KeyRing: Sendable {
    /// Wraps and unwraps KEKs.
    let kekWrappingKey: SymmetricKey
    /// Keys the blind indexes (HMAC).
    let blindIndexKey: SymmetricKey
    /// The source of the audit log's keyed-hash key.
    let auditHashSource: SymmetricKey
    private let keks: Mutex<[Int: SymmetricKey]>

    init(master: SymmetricKey) throws(VaultError) {
        kekWrappingKey = try MasterKeyDerivation.derive(.kekWrapping, from: master)
        blindIndexKey = try MasterKeyDerivation.derive(.blindIndex, from: master)
        auditHashSource = try MasterKeyDerivation.derive(.auditHashSource, from: master)
        keks = Mutex([:])
    }

    /// The KEK of `version`, if the ring holds it.
    func kek(_ version: Int) -> SymmetricKey? {
        keks.withLock { $0[version] }
    }

    /// Adds (or replaces) a KEK.
    func insert(kek: SymmetricKey, version: Int) {
        keks.withLock { $0[version] = kek }
    }

    /// Drops a KEK (after it was retired).
    func remove(version: Int) {
        _ = keks.withLock { $0.removeValue(forKey: version) }
    }

    /// The versions held, ascending.
    var versions: [Int] {
        keks.withLock { $0.keys.sorted() }
    }
}
