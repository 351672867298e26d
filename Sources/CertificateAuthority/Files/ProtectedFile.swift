import GnuTLS

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Files holding private keys and passphrases: created with mode 0600 from the first byte,
/// replaced atomically, and refused on reading when group or others may read or write them.
///
/// Writing goes to a new temporary file beside the target (`O_CREAT | O_EXCL`, mode 0600, so the
/// secret is never readable by others, not even for a moment, whatever the umask), is synced, and
/// is renamed over the target. Public material (certificates, CRLs, bundles) uses the same
/// atomic replacement with mode 0644.
public enum ProtectedFile {
    /// Writes `bytes` to `path` with mode 0600, atomically.
    ///
    /// - Parameter replacing: whether an existing file may be replaced; when `false` an existing
    ///   file is refused with ``CertificateAuthorityError/Code/fileExists``.
    public static func writeSecret(_ bytes: [UInt8], to path: String, replacing: Bool = false) throws(CertificateAuthorityError) {
        try write(bytes, to: path, mode: 0o600, replacing: replacing)
    }

    /// Writes public material (`mode` 0644 by default) atomically.
    public static func writePublic(_ text: String, to path: String, replacing: Bool = true) throws(CertificateAuthorityError) {
        try write(Array(text.utf8), to: path, mode: 0o644, replacing: replacing)
    }

    /// Reads a secret file, refusing it with ``CertificateAuthorityError/Code/keyFileExposed``
    /// when its mode lets group or others read or write it (as OpenSSH does for private keys), or
    /// when it is not a regular file.
    public static func readSecret(_ path: String) throws(CertificateAuthorityError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw CertificateAuthorityError(.fileUnreadable, path) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw CertificateAuthorityError(.fileUnreadable, path)
        }
        guard info.st_mode & 0o077 == 0 else { throw CertificateAuthorityError(.keyFileExposed, path) }
        return try readAll(descriptor, path: path)
    }

    /// Reads a public file.
    public static func readPublic(_ path: String) throws(CertificateAuthorityError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CertificateAuthorityError(.fileUnreadable, path) }
        defer { close(descriptor) }
        return try readAll(descriptor, path: path)
    }

    /// Whether `path` exists.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Creates `path` and missing parents with mode `mode` (0700 for directories holding keys).
    public static func makeDirectory(_ path: String, mode: UInt32 = 0o755) throws(CertificateAuthorityError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, mode_t(mode)) != 0 && errno != EEXIST { throw CertificateAuthorityError(.fileUnreadable, path) }
        }
    }

    private static func readAll(_ descriptor: Int32, path: String) throws(CertificateAuthorityError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CertificateAuthorityError(.fileUnreadable, path)
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            guard bytes.count <= 16 * 1024 * 1024 else { throw CertificateAuthorityError(.fileUnreadable, path) }
        }
        _ = chunk.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
        return bytes
    }

    private static func write(_ bytes: [UInt8], to path: String, mode: mode_t, replacing: Bool) throws(CertificateAuthorityError) {
        if !replacing && exists(path) { throw CertificateAuthorityError(.fileExists, path) }
        let suffix = ((try? SecureRandom.bytes(count: 8)) ?? []).map { String($0, radix: 16) }.joined()
        let temporary = "\(path).tmp-\(suffix)"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else { throw CertificateAuthorityError(.fileUnreadable, path) }
        var failed = fchmod(descriptor, mode) != 0  // the umask may have narrowed it; never widened
        var offset = 0
        while !failed && offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { posixWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                failed = true
            } else {
                offset += written
            }
        }
        if !failed { failed = fsync(descriptor) != 0 }
        close(descriptor)
        if !failed && !replacing && exists(path) {
            unlink(temporary)
            throw CertificateAuthorityError(.fileExists, path)
        }
        if failed || rename(temporary, path) != 0 {
            unlink(temporary)
            throw CertificateAuthorityError(.fileUnreadable, path)
        }
    }
}

/// `write(2)`, named so that it does not collide with ``ProtectedFile``'s own `write`.
private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
