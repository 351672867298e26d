public import PostgreSQL

/// One versioned schema change: `NNNN_name.sql`, applied once, in version order, in its own
/// transaction.
///
/// A migration must not manage transactions itself (no BEGIN/COMMIT) and must not use statements
/// that refuse to run inside a transaction (CREATE INDEX CONCURRENTLY, CREATE DATABASE).
public struct Migration: Sendable {
    /// The version, from the file name's four digits.
    public let version: Int
    /// The name, from the file name after the digits (`component_roles`).
    public let name: String
    /// The SQL text.
    public let script: SQLScript

    /// A migration from a reviewed script. Throws ``MigrationError/Code/invalidMigration`` for a
    /// version below 1 or a name other than lower-case letters, digits and underscores.
    public init(version: Int, name: String, script: SQLScript) throws(MigrationError) {
        guard version >= 1 else {
            throw MigrationError(.invalidMigration, "migration version must be at least 1", version: version)
        }
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ Self.nameCharacters.contains($0) }) else {
            throw MigrationError(.invalidMigration, "migration name must be [a-z0-9_]+", version: version)
        }
        self.version = version
        self.name = name
        self.script = script
    }

    /// The script's bytes, whose SHA-256 is recorded when the migration is applied.
    var scriptBytes: [UInt8] { Array(script.sql.utf8) }

    private static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789_".unicodeScalars)
}
