#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// System users named in the configuration (`vault.door_users`, `ca.socket_users`).
public enum SystemUsers {
    /// The user ids of `names`.
    /// - Throws: ``LocalSocketError/Code/unusable`` naming the first user that does not exist (a typo
    ///   must not silently leave a caller out, nor let anyone in).
    public static func ids(of names: [String], setting: String) throws(LocalSocketError) -> Set<UInt32> {
        var ids: Set<UInt32> = []
        for name in names {
            guard let entry = getpwnam(name) else { throw LocalSocketError(.unusable, "\(setting): no system user named \(name)") }
            ids.insert(entry.pointee.pw_uid)
        }
        return ids
    }
}
