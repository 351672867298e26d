public import Foundation

/// What a backup holds, written in clear in its header and covered by its MAC: when it was made,
/// the newest migration and audit checkpoint in the snapshot, the dump's format, the vault's seal
/// (see ``BackupSeal``) and the component roles. No personal data: counts, versions, hashes and dates only.
public struct BackupManifest: Codable, Hashable, Sendable {
    /// The newest signed audit checkpoint in the snapshot.
    public struct Checkpoint: Codable, Hashable, Sendable {
        public var sequence: Int64
        public var treeSize: Int64
        /// The Merkle root, hex.
        public var rootHash: String
        public var signedAt: Date

        public init(sequence: Int64, treeSize: Int64, rootHash: String, signedAt: Date) {
            self.sequence = sequence
            self.treeSize = treeSize
            self.rootHash = rootHash
            self.signedAt = signedAt
        }

        /// `root` as the manifest writes it (lower-case hex).
        public static func hex(_ root: [UInt8]) -> String {
            BatchSQL.hex(root)
        }
    }

    /// A component role as the cluster holds it: roles and their settings live outside any one
    /// database, so `pg_dump` leaves them out and the backup carries them (never a password).
    public struct Role: Codable, Hashable, Sendable {
        /// `bilet_…`.
        public var name: String
        /// The role's own settings, `name=value` as `pg_db_role_setting` keeps them.
        public var settings: [String]

        public init(name: String, settings: [String]) {
            self.name = name
            self.settings = settings
        }
    }

    /// When the dump's snapshot was taken (the snapshot transaction's `now()`), kept to the whole
    /// second, rounded down. Shown only: a restore re-applies every live register entry the restored
    /// register lacks, whatever its time (an erasure's register time precedes its commit).
    public var createdAt: Date
    /// The newest migration applied in the snapshot.
    public var migrationsVersion: Int
    /// The newest signed audit checkpoint, nil when none was signed yet.
    public var newestCheckpoint: Checkpoint?
    /// `pg_dump`'s format (`custom`).
    public var dumpFormat: String
    /// The vault's seal record at backup time.
    public var seal: BackupSeal
    /// bilet's component roles and their settings.
    public var roles: [Role]

    public init(
        createdAt: Date, migrationsVersion: Int, newestCheckpoint: Checkpoint?, dumpFormat: String, seal: BackupSeal, roles: [Role]
    ) {
        self.createdAt = createdAt
        self.migrationsVersion = migrationsVersion
        self.newestCheckpoint = newestCheckpoint
        self.dumpFormat = dumpFormat
        self.seal = seal
        self.roles = roles
    }
}
