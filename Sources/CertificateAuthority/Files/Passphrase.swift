import GnuTLS

/// A passphrase that protects a CA key at rest, read from a 0600 file or from the environment.
///
/// Never printed: ``description`` says only where it came from.
public struct Passphrase: Sendable, CustomStringConvertible {
    /// The passphrase text.
    let text: String
    /// Where it came from, for messages.
    public let source: String

    /// The shortest passphrase accepted for a CA key.
    public static let minimumLength = 12

    /// Wraps a passphrase given directly (tests, or a prompt).
    ///
    /// - Throws: ``CertificateAuthorityError/Code/wrongPassphrase`` when shorter than ``minimumLength``.
    public init(_ text: String, source: String = "argument") throws(CertificateAuthorityError) {
        guard text.count >= Self.minimumLength else { throw CertificateAuthorityError(.wrongPassphrase, "shorter than \(Self.minimumLength) characters") }
        self.text = text
        self.source = source
    }

    /// Reads the first line of a passphrase file, which must have mode 0600 (or stricter).
    ///
    /// - Throws: ``CertificateAuthorityError/Code/keyFileExposed`` for a file others can read,
    ///   ``CertificateAuthorityError/Code/fileUnreadable``, ``CertificateAuthorityError/Code/wrongPassphrase``.
    public static func file(_ path: String) throws(CertificateAuthorityError) -> Passphrase {
        var bytes = try ProtectedFile.readSecret(path)
        defer { _ = bytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        let line = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        var text = String(decoding: line, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return try Passphrase(text, source: "file \(path)")
    }

    /// A new random passphrase (32 base64url characters, 192 bits) for development set-ups.
    public static func random() throws(CertificateAuthorityError) -> Passphrase {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let bytes: [UInt8]
        do { bytes = try SecureRandom.bytes(count: 32, level: .key) } catch { throw CertificateAuthorityError(.issuingFailed, "random") }
        return try Passphrase(String(bytes.map { alphabet[Int($0 & 63)] }), source: "generated")
    }

    /// Writes the passphrase to a new file with mode 0600 (development set-ups, tests).
    public func write(to path: String) throws(CertificateAuthorityError) {
        try ProtectedFile.writeSecret(Array("\(self.text)\n".utf8), to: path)
    }

    public var description: String { "passphrase from \(self.source)" }
}
