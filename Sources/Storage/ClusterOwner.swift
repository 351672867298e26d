import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The operating-system user a ``LocalCluster`` runs as. PostgreSQL refuses to run as root, so
/// when bilet runs as root the cluster belongs to an unprivileged system user (created on first
/// use, without home or shell) and every PostgreSQL program runs through `runuser`.
enum ClusterOwner: Sendable, Hashable {
    /// The user bilet runs as (not root).
    case currentUser
    /// A system user; bilet runs as root.
    case systemUser(name: String, uid: uid_t, gid: gid_t)

    static let systemUserName = "bilet-postgres"

    /// The current user, or (as root) the `bilet-postgres` system user, created if missing.
    static func resolve() async throws(LocalClusterError) -> ClusterOwner {
        guard geteuid() == 0 else { return .currentUser }
        if let owner = lookUp(systemUserName) { return owner }
        let useradd = ["/usr/sbin/useradd", "/sbin/useradd"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let useradd else {
            throw LocalClusterError(.systemUserUnavailable, "useradd not found; cannot create \(systemUserName)")
        }
        var lastOutput = ""
        // Another process may be adding the user (or another user) at the same moment; useradd then
        // fails to lock /etc/passwd or reports the name taken, so look again and retry briefly.
        for _ in 0..<20 {
            let outcome: CommandRunner.Outcome
            do {
                outcome = try await CommandRunner.run(
                    useradd,
                    ["--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", systemUserName])
            } catch {
                throw LocalClusterError(.systemUserUnavailable, "cannot run useradd")
            }
            if let owner = lookUp(systemUserName) { return owner }
            lastOutput = outcome.tail
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw LocalClusterError(.systemUserUnavailable, "useradd could not create \(systemUserName)", output: lastOutput)
    }

    private static func lookUp(_ name: String) -> ClusterOwner? {
        guard let entry = getpwnam(name) else { return nil }
        return .systemUser(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// The program and arguments that run `executable` as this owner.
    func command(_ executable: String, _ arguments: [String]) -> (String, [String]) {
        switch self {
        case .currentUser:
            return (executable, arguments)
        case .systemUser(let name, _, _):
            let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
                .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/runuser"
            return (runuser, ["-u", name, "--", executable] + arguments)
        }
    }

    /// Makes `path` belong to this owner (a no-op for the current user).
    func takeOwnership(of path: String) throws(LocalClusterError) {
        guard case .systemUser(_, let uid, let gid) = self else { return }
        guard chown(path, uid, gid) == 0 else {
            throw LocalClusterError(.directoryNotUsable, "cannot give \(path) to \(Self.systemUserName)")
        }
    }

    /// Checks that this owner can traverse every ancestor of `path`.
    func checkTraversable(ancestorsOf path: String) throws(LocalClusterError) {
        guard case .systemUser(_, let uid, let gid) = self else { return }
        var current = (path as NSString).deletingLastPathComponent
        while !current.isEmpty {
            var info = stat()
            if stat(current, &info) == 0 {
                let mode = info.st_mode
                let traversable =
                    (info.st_uid == uid && mode & S_IXUSR != 0)
                    || (info.st_gid == gid && mode & S_IXGRP != 0)
                    || (mode & S_IXOTH != 0)
                guard traversable else {
                    throw LocalClusterError(
                        .directoryNotUsable,
                        "\(current) is not traversable by \(Self.systemUserName) (needs o+x)")
                }
            }
            if current == "/" { break }
            current = (current as NSString).deletingLastPathComponent
        }
    }
}
