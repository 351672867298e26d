import Foundation

/// The configuration keys bilet understands, with the form each one takes.
///
/// A key is written dotted in the JSON file (`database.pool_size`, nested objects or a
/// dotted name both work) and upper-cased with a `BILET_` prefix in the environment
/// (`BILET_DATABASE_POOL_SIZE`). The environment wins over the file.
public struct SettingKey: Hashable, Sendable {
    /// The dotted name, for example `log.level`.
    public let name: String
    /// The expected form, in words, used in error messages and in `bilet config keys`.
    public let form: String
    /// Whether the value is secret (a connection string may hold a password).
    public let isSecret: Bool

    init(_ name: String, form: String, isSecret: Bool = false) {
        self.name = name
        self.form = form
        self.isSecret = isSecret
    }

    /// The environment variable that overrides this key.
    public var environmentName: String { Self.environmentName(of: name) }

    static func environmentName(of name: String) -> String {
        "BILET_" + name.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// Every key bilet reads.
    public static let all: [SettingKey] = [
        .databaseURL, .databasePoolSize, .databaseAcquireTimeout, .databaseLocalDirectory,
        .logLevel, .logFormat, .policyDirectory, .auditSigningKey, .auditOrigin, .auditCheckpointDirectory,
    ]

    public static let databaseURL = SettingKey(
        "database.url",
        form: "a libpq connection string or postgresql:// URI (several hosts allowed); when absent, bilet runs a private PostgreSQL under database.local_directory",
        isSecret: true)
    public static let databasePoolSize = SettingKey(
        "database.pool_size", form: "a whole number from 1 to 500")
    public static let databaseAcquireTimeout = SettingKey(
        "database.acquire_timeout_ms", form: "a whole number of milliseconds from 1 to 60000")
    public static let databaseLocalDirectory = SettingKey(
        "database.local_directory", form: "a directory path for the private PostgreSQL cluster")
    public static let policyDirectory = SettingKey(
        "policy.directory", form: "the directory holding the schema and the .policy files (default policies)")
    public static let auditSigningKey = SettingKey(
        "audit.signing_key",
        form: "the path of a PKCS#8 PEM Ed25519 or GOST key (made by `bilet audit keygen`) that signs checkpoints; without it a private-cluster run makes a development key under var/audit")
    public static let auditOrigin = SettingKey(
        "audit.origin", form: "the log's origin line, such as bilet.example.ru/audit (no spaces or newlines)")
    public static let auditCheckpointDirectory = SettingKey(
        "audit.checkpoint_directory", form: "a directory path where signed checkpoints are also written")
    public static let logLevel = SettingKey(
        "log.level", form: "one of trace, debug, info, notice, warning, error, critical")
    public static let logFormat = SettingKey(
        "log.format", form: "json or text")
}


