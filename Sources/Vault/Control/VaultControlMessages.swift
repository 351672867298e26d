public import Tokens

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
        /// Crypto-shred the subject `token` (a pupil with their guardians) for `reason`.
        case erase
        /// Put the subject `token` under legal hold: erasure and retention stop.
        case hold
        /// Lift the legal hold on the subject `token`.
        case release
        /// Set the retention end of the subject `token` to `until`, or clear it (`clear`).
        case retention
        /// List the destruction register, newest first.
        case register
        /// Where the erasure of the pupil `token` stands in each module (pending or done); with
        /// `overdue` and no token, every module erasure pending for more than an hour.
        case erasureStatus = "erasure-status"
    }

    public var operation: Operation
    public var passphrase: String?
    /// A key file path, read by the server process (so it must be readable by it alone).
    public var keyFile: String?
    /// The subject token `erase`, `hold`, `release` and `retention` act on.
    public var token: String?
    /// For `erase`: an ``ErasureReason`` raw value (`subject_request` …).
    public var reason: String?
    /// For `retention`: the new retention end, `YYYY-MM-DD` (UTC).
    public var until: String?
    /// For `retention`: clear the retention end instead of setting it.
    public var clear: Bool?
    /// For `erasure-status` without a token: list the overdue module erasures.
    public var overdue: Bool? = nil

    /// Creates a request.
    public init(
        operation: Operation, passphrase: String? = nil, keyFile: String? = nil, token: String? = nil, reason: String? = nil,
        until: String? = nil, clear: Bool? = nil, overdue: Bool? = nil
    ) {
        self.overdue = overdue
        self.operation = operation
        self.passphrase = passphrase
        self.keyFile = keyFile
        self.token = token
        self.reason = reason
        self.until = until
        self.clear = clear
    }

    enum CodingKeys: String, CodingKey {
        case operation = "op"
        case passphrase
        case keyFile = "key_file"
        case token
        case reason
        case until
        case clear
        case overdue
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
    /// For `erase`: the tokens erased (the subject first, then a pupil's guardians).
    public var erased: [SubjectToken]?
    /// For `erase` of a pupil and `erasure-status`: where each module stands and what it removed
    /// (counts only; the erasure receipt).
    public var modules: [ModuleErasure]? = nil
    /// For `erase` of a pupil: the relationship facts about the pupil the erasure expired.
    public var facts: [ExpiredFact]? = nil
    /// For `register`: the destruction register, newest first.
    public var register: [DestructionRecord]?
    public var error: Failure?
    /// For `erasure-status --overdue`: the module erasures pending for more than an hour.
    public var overdue: [OverdueModuleErasure]? = nil

    /// A success.
    public static func success(
        status: VaultStatus? = nil, deadlines: [DestructionDeadline]? = nil, erased: [SubjectToken]? = nil,
        modules: [ModuleErasure]? = nil, facts: [ExpiredFact]? = nil, register: [DestructionRecord]? = nil
    ) -> VaultControlResponse {
        VaultControlResponse(
            ok: true, status: status, deadlines: deadlines, erased: erased, modules: modules, facts: facts, register: register, error: nil)
    }

    /// A refusal.
    public static func failure(_ error: VaultError) -> VaultControlResponse {
        VaultControlResponse(
            ok: false, status: nil, deadlines: nil, erased: nil, modules: nil, register: nil, error: Failure(code: error.code.rawValue, message: error.description))
    }
}
