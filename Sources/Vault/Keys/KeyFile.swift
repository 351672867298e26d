import GnuTLS

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes master-key files.
///
/// A key file holds exactly 32 bytes, raw or as 64 hexadecimal digits (a trailing newline is
/// allowed). It is refused unless it is a regular file (not a link), owned by the effective user,
/// with no permission bits for group or others.
enum KeyFile {
    static let keyByteCount = 32

    /// The master key in the file at `path`.
    ///
    /// - Throws: ``VaultError/Code/keyFileRejected`` with a fixed reason (never the contents).
    static func read(path: String) throws(VaultError) -> SymmetricKey {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw VaultError(.keyFileRejected, reason: "cannot open the key file (missing, a symbolic link, or not permitted)")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw VaultError(.keyFileRejected, reason: "cannot stat the key file")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw VaultError(.keyFileRejected, reason: "the key file is not a regular file")
        }
        guard status.st_uid == geteuid() else {
            throw VaultError(.keyFileRejected, reason: "the key file is not owned by the user running bilet")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw VaultError(
                .keyFileRejected, reason: "the key file is accessible to group or others; chmod 600 it")
        }
        var buffer = [UInt8](repeating: 0, count: 130)
        let count = buffer.withUnsafeMutableBytes { posixRead(descriptor, $0.baseAddress, $0.count) }
        defer { wipe(&buffer) }
        guard count >= 0 else { throw VaultError(.keyFileRejected, reason: "cannot read the key file") }
        var contents = Array(buffer[0..<count])
        defer { wipe(&contents) }
        if contents.count == keyByteCount {
            return SymmetricKey(zeroingAfterCopy: &contents)
        }
        while let last = contents.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            contents.removeLast()
        }
        guard contents.count == keyByteCount * 2, var decoded = decodeHex(contents) else {
            throw VaultError(.keyFileRejected, reason: "the key file must hold 32 bytes, raw or as 64 hex digits")
        }
        return SymmetricKey(zeroingAfterCopy: &decoded)
    }

    /// Creates a new key file at `path` (mode 0600, refusing to overwrite) holding 32 random bytes
    /// as hex digits.
    ///
    /// - Throws: ``VaultError/Code/keyFileRejected`` when the file exists or cannot be written,
    ///   ``VaultError/Code/crypto`` when the random generator fails.
    static func generate(at path: String) throws(VaultError) {
        var key: [UInt8]
        do {
            key = try SecureRandom.bytes(count: keyByteCount, level: .key)
        } catch {
            throw VaultError(.crypto, reason: "random generation failed (\(error.code.rawValue))")
        }
        defer { wipe(&key) }
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(keyByteCount * 2 + 1)
        for byte in key {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        text.append(UInt8(ascii: "\n"))
        defer { wipe(&text) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw VaultError(.keyFileRejected, reason: "cannot create the key file (it may exist already)")
        }
        defer { close(descriptor) }
        let written = text.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == text.count, fsync(descriptor) == 0 else {
            throw VaultError(.keyFileRejected, reason: "cannot write the key file")
        }
    }

    /// The bytes the hex digits `text` spell (either case), or nil unless it is an even number of
    /// hex digits; what was decoded of a bad input is wiped.
    static func decodeHex(_ text: [UInt8]) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        func nibble(_ character: UInt8) -> UInt8? {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var output = [UInt8]()
        output.reserveCapacity(text.count / 2)
        var index = 0
        while index + 1 < text.count {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else {
                wipe(&output)
                return nil
            }
            output.append(high << 4 | low)
            index += 2
        }
        return output
    }

    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return }
            explicit_bzero(base, raw.count)
        }
    }
}

/// `read(2)`, named apart from ``KeyFile/read(path:)``.
private func posixRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
