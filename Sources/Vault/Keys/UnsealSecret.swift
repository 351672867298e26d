/// A passphrase in memory. Its description and reflection never show it.
public struct Passphrase: Sendable {
    let bytes: [UInt8]

    /// The passphrase's UTF-8 bytes, used as they are (no Unicode normalisation, no trimming).
    public init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    /// The passphrase as bytes.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }
}

extension Passphrase: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "Passphrase(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// What opens the vault: the passphrase the master key is derived from (Argon2id), or a key file
/// holding the master key itself.
public enum UnsealSecret: Sendable, CustomStringConvertible {
    /// A passphrase; the master key is Argon2id(passphrase, stored salt, stored parameters).
    case passphrase(Passphrase)
    /// A file holding the 32-byte master key, raw or as 64 hex digits. It must be a regular file
    /// owned by this process's user and not readable or writable by group or others (0600 or
    /// stricter).
    case keyFile(path: String)

    /// The method name stored in `vault.seal`.
    var method: String {
        switch self {
        case .passphrase: "passphrase"
        case .keyFile: "key_file"
        }
    }

    public var description: String {
        switch self {
        case .passphrase: "passphrase"
        case .keyFile: "key file"
        }
    }
}
