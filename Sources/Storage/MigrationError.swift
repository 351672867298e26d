public import PostgreSQL

/// Why migrating failed. The description names the migration (version and name) and, for a
/// database failure, the ``PostgresError`` description (SQLSTATE, objects; never values).
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    /// What failed, as a caller matches on it.
    public enum Code: String, Sendable, Hashable {
        /// A migration file or definition is malformed (bad file name, bad version, not UTF-8).
        case invalidMigration
        /// Two migrations share a version.
        case duplicateVersion
        /// The bundled migrations cannot be found or read.
        case migrationsUnavailable
        /// An applied migration's file changed since it was applied (its SHA-256 differs). Fix the
        /// file back; never edit an applied migration, add a new one.
        case checksumMismatch
        /// A migration's SQL failed; it was rolled back.
        case migrationFailed
        /// The database could not be reached or the bookkeeping failed.
        case database
        /// A serving process found migrations not yet applied (or could not read which are): it does
        /// not start; `bilet db migrate` applies them with the owner's credentials.
        case pending
    }

    /// The stable code.
    public let code: Code
    /// A fixed explanation.
    public let reason: String
    /// The migration concerned, if any.
    public let version: Int?
    /// The database error underneath, if any.
    public let underlying: PostgresError?

    init(_ code: Code, _ reason: String, version: Int? = nil, underlying: PostgresError? = nil) {
        self.code = code
        self.reason = reason
        self.version = version
        self.underlying = underlying
    }

    public var description: String {
        var text = "migration error: \(code.rawValue): \(reason)"
        if let underlying { text += " [\(underlying)]" }
        return text
    }
}
