/// A request on the vault's local control socket: one JSON object on one line.
///
/// The passphrase travels only over the owner-only Unix socket, never on a command line; the
/// request's description never shows it.
public struct VaultControlRequest: Codable, Sendable, CustomStringConvertible {
    /// What to do.
    public enum Operation: String, Codable, Sendable, CaseIterable {
        /// Report ``VaultStatus``.
        case status
        /// Unseal with `passphrase` or `keyFile`.
        case unseal
        /// Drop the keys at once (emergency).
        case seal
        /// Create the key hierarchy in an empty vault with `passphrase` or `keyFile`.
        case initialise = "init"
        /// Start a KEK rotation.
        case rotate
        /// List what is due for destruction.
        case deadlines
    }

    public var operation: Operation
    public var passphrase: String?
    /// A key file path, read by the server process (so it must be readable by it alone).
    public var keyFile: String?

    /// Creates a request.
    public init(operation: Operation, passphrase: String? = nil, keyFile: String? = nil) {
        self.operation = operation
        self.passphrase = passphrase
        self.keyFile = keyFile
    }

    enum CodingKeys: String, CodingKey {
        case operation = "op"
        case passphrase
        case keyFile = "key_file"
    }

    public var description: String {
        "VaultControlRequest(\(operation.rawValue)\(passphrase == nil ? "" : ", passphrase")\(keyFile == nil ? "" : ", key file"))"
    }

    /// The secret the request carries, if any.
    var secret: UnsealSecret? {
        if let passphrase { return .passphrase(Passphrase(passphrase)) }
        if let keyFile { return .keyFile(path: keyFile) }
        return nil
    }
}

/// The answer to a ``VaultControlRequest``: one JSON object on one line.
public struct VaultControlResponse: Codable, Sendable, Hashable {
    /// A refusal: the vault error's stable code and its safe description.
    public struct Failure: Codable, Sendable, Hashable {
        public var code: String
        public var message: String
    }

    public var ok: Bool
    public var status: VaultStatus?
    public var deadlines: [DestructionDeadline]?
    public var error: Failure?

    /// A success.
    public static func success(status: VaultStatus? = nil, deadlines: [DestructionDeadline]? = nil) -> VaultControlResponse {
        VaultControlResponse(ok: true, status: status, deadlines: deadlines, error: nil)
    }

    /// A refusal.
    public static func failure(_ error: VaultError) -> VaultControlResponse {
        VaultControlResponse(ok: false, status: nil, deadlines: nil, error: Failure(code: error.code.rawValue, message: error.description))
    }
}
