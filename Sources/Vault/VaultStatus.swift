/// What `bilet vault status` shows: whether the vault is initialised and unsealed, how it is
/// sealed, its key-encryption keys and any rotation in progress. Holds no secrets and no
/// personal data.
public struct VaultStatus: Sendable, Hashable, Codable {
    /// The state of this process's vault.
    public enum State: String, Sendable, Hashable, Codable {
        /// No key hierarchy in the database yet.
        case uninitialised
        /// Initialised, keys not in memory: personal-data operations are refused.
        case sealed
        /// Keys in memory: operations run.
        case unsealed
    }

    /// One key-encryption key.
    public struct KEK: Sendable, Hashable, Codable {
        /// The version.
        public var version: Int
        /// `current`, `previous` or `retired`.
        public var state: String
        /// Data keys it wraps now.
        public var dataKeys: Int
    }

    /// A rotation's progress.
    public struct Rotation: Sendable, Hashable, Codable {
        public var fromVersion: Int
        public var toVersion: Int
        /// Data keys that needed re-wrapping when it started.
        public var totalKeys: Int
        /// Re-wrapped so far.
        public var rewrappedKeys: Int
        /// Still wrapped by the old version.
        public var remainingKeys: Int
        /// Whether the old version has been retired.
        public var finished: Bool
    }

    public var state: State
    /// `passphrase` or `key_file`, once initialised.
    public var method: String?
    /// The KEK new data keys are wrapped by.
    public var currentKEKVersion: Int?
    public var keks: [KEK]
    /// The latest rotation, if any.
    public var rotation: Rotation?
    /// Subjects registered and not erased.
    public var liveSubjects: Int
    /// Subjects erased.
    public var erasedSubjects: Int
}
