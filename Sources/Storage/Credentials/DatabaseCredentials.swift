import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Each component's own PostgreSQL password, one file per role in one directory:
/// `<directory>/bilet_<component>.password`, mode 0600, written by `bilet db migrate` and read by the
/// process that runs that component (and by nothing else: in a production deployment each file
/// belongs to that component's system user).
///
/// A component never borrows the owner's connection: it authenticates with SCRAM-SHA-256 using its
/// own secret. A file that others can read or write, or that holds no secret, is refused.
public struct DatabaseCredentials: Sendable, Hashable {
    /// The directory holding the password files.
    public let directory: String

    /// The credentials kept in `directory` (relative paths are taken from the current directory).
    public init(directory: String) {
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
    }

    /// The password file of `role`.
    public func path(for role: String) -> String {
        directory + "/" + role + ".password"
    }

    /// The password of `component`'s role.
    /// - Throws: ``CredentialsError/Code/missing`` when there is no file (run `bilet db migrate`),
    ///   ``CredentialsError/Code/exposed`` when group or others may read or write it,
    ///   ``CredentialsError/Code/unreadable`` when it cannot be read or is empty.
    public func password(for component: Component) throws(CredentialsError) -> String {
        try password(forRole: component.roleName)
    }

    /// The passwords of `components`, read now: what one process holds.
    /// - Parameter skippingMissing: leave out a component without a file (administration tools, which
    ///   may also reach a cluster that trusts its socket) instead of refusing; a file open to others
    ///   is refused either way.
    public func passwords(
        for components: some Sequence<Component>, skippingMissing: Bool = false
    ) throws(CredentialsError) -> [Component: String] {
        var passwords: [Component: String] = [:]
        for component in components {
            do {
                passwords[component] = try password(for: component)
            } catch where skippingMissing && error.code == .missing {
                continue
            }
        }
        return passwords
    }

    /// The password of `role` (see ``password(for:)``).
    ///
    /// The file is opened once without following a symbolic link, then checked on the open descriptor
    /// (a regular file, owned by this process's user, mode 0600 or stricter) and read from it: what is
    /// checked is what is read.
    public func password(forRole role: String) throws(CredentialsError) -> String {
        let path = path(for: role)
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT {
                throw CredentialsError(.missing, role: role, "no password file for \(role) in \(directory); run `bilet db migrate`")
            }
            throw CredentialsError(.unreadable, role: role, "\(path) cannot be opened (a symbolic link is refused)")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_uid == geteuid() else {
            throw CredentialsError(.unreadable, role: role, "\(path) must be a regular file owned by this process's user")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw CredentialsError(.exposed, role: role, "\(path) is open to group or others; it must be mode 0600")
        }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0,
            let text = String(bytes: bytes[0..<count], encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !text.isEmpty
        else {
            throw CredentialsError(.unreadable, role: role, "\(path) cannot be read or holds no password")
        }
        return text
    }

    /// The password of `role`, made now (256 random bits, base64url) and written with mode 0600 when
    /// there is no file yet; with `rotate`, a new one replaces the old.
    /// - Returns: the password and whether it was made by this call.
    public func ensurePassword(forRole role: String, rotate: Bool = false) throws(CredentialsError) -> (
        password: String, created: Bool
    ) {
        if !rotate, FileManager.default.fileExists(atPath: path(for: role)) {
            return (try password(forRole: role), false)
        }
        let password = Self.randomSecret()
        try store(password, forRole: role)
        return (password, true)
    }

    private func store(_ password: String, forRole role: String) throws(CredentialsError) {
        let path = path(for: role)
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CredentialsError(.unreadable, role: role, "cannot create \(directory)")
        }
        let temporary = path + ".new"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CredentialsError(.unreadable, role: role, "cannot write \(path)") }
        let bytes = Array((password + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CredentialsError(.unreadable, role: role, "cannot write \(path)")
        }
    }

    /// 32 bytes from the system's CSPRNG, base64url without padding.
    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
