import ArgumentParser
import Foundation
import Logging
import Backups
import Platform
import Policy
import PostgreSQL
import Settings
import Vault

/// `bilet backup create|verify|restore`: encrypted, verifiable backups of bilet's database whose
/// keys come from the vault's unseal material, kept apart from the backups (docs/BACKUPS.md).
///
/// Every failure exits non-zero with one line naming its stable code (`backup.tampered`,
/// `backup.truncated`, `backup.wrong_key`, …); nothing of the dump's contents is ever printed.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Creates, verifies and restores encrypted backups of bilet's database.",
        discussion: """
            A backup is one consistent pg_dump (custom format) sealed with AES-256-GCM under keys derived from \
            the vault's master key: it opens only with the vault's key file or passphrase, which must be kept \
            apart from the backups. See docs/BACKUPS.md.
            """,
        subcommands: [Create.self, Verify.self, Restore.self])

    /// Where the database is: `--database-url`, else the configured database or the private cluster.
    struct DatabaseOptions: ParsableArguments {
        @OptionGroup var configuration: ConfigurationOptions

        @Option(
            name: .customLong("database-url"),
            help: ArgumentHelp("A libpq connection string or URI of the database owner; overrides the configuration.", valueName: "url"))
        var databaseURL: String?

        /// The database `settings` name (or `--database-url`), as its owner.
        func platformDatabase(_ settings: BiletSettings) throws -> PlatformDatabase {
            try PlatformDatabase(settings: settings.database, url: databaseURL, logger: Logger(label: "bilet.backup"))
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Writes a new encrypted backup (refuses to overwrite a file) and prints its manifest.",
            discussion: "The key file or passphrase is checked against the vault first: no backup is written that it cannot open.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var secret: VaultCommand.SecretOptions
        @Option(name: .customLong("output"), help: ArgumentHelp("The new backup file.", valueName: "path")) var output: String

        func run() async throws {
            let platform = try database.platformDatabase(try await database.configuration.load())
            let summary = try await BackupCommand.reporting {
                try await BackupCreation.create(owner: platform.ownerConfiguration, to: output, secret: try secret.unsealSecret())
            }
            print("backup written: \(output)")
            BackupCommand.printSummary(summary)
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Checks a backup whole (MAC, every chunk, sizes) with the key file or passphrase, without restoring it.",
            discussion: "Exit status 0 and the manifest when it is intact; otherwise 1 with backup.tampered, backup.truncated, backup.wrong_key, backup.not_a_backup or backup.unsupported_version.")
        @OptionGroup var secret: VaultCommand.SecretOptions
        @Argument(help: ArgumentHelp("The backup file.", valueName: "path")) var backup: String

        func run() async throws {
            let secret = try secret.unsealSecret()
            let summary = try await BackupCommand.reporting { try await BackupVerification.verify(at: backup, secret: secret) }
            print("OK: the backup is intact and opens with this key")
            BackupCommand.printSummary(summary)
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restores a backup into an empty database, verifies its audit log and re-applies later erasures.",
            discussion: """
                Refuses a target that is not empty. After pg_restore: the restored audit log must verify against its \
                signed checkpoints and the copies saved outside the database (the checkpoint directory, which must hold \
                the backup's newest checkpoint); then every entry of the live destruction register that the restored \
                register does not hold is re-applied (crypto-shredding again), and each is listed. Exit status 1 if any \
                could not be, and then the restored data is dropped from the target. A restore that fails after pg_restore \
                drops what it restored too, unless every erasure was re-applied.
                """)
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var secret: VaultCommand.SecretOptions
        @Option(
            name: .customLong("target-url"),
            help: ArgumentHelp("The empty database to restore into: a libpq connection string of its owner.", valueName: "url"))
        var targetURL: String
        @Option(
            name: .customLong("checkpoints"),
            help: ArgumentHelp("The checkpoint directory saved outside the database (default: audit.checkpoint_directory).", valueName: "dir"))
        var checkpoints: String?
        @Option(name: .customLong("key"), help: ArgumentHelp("The audit log's verifier key (name+keyid+base64) or a file holding it.", valueName: "vkey"))
        var key: String
        @Argument(help: ArgumentHelp("The backup file.", valueName: "path")) var backup: String

        func run() async throws {
            let settings = try await database.configuration.load()
            let live = try database.platformDatabase(settings)
            let policies = try PolicyStore(directory: settings.policyDirectory, hasher: SHA256VersionHasher())
            let report = try await BackupCommand.reporting {
                try await BackupRestore.restore(
                    backup: backup, secret: try secret.unsealSecret(),
                    target: PostgresConfiguration(connectionString: targetURL, applicationName: "bilet-restore"),
                    live: live.ownerConfiguration, checkpointDirectory: checkpoints ?? settings.audit.checkpointDirectory,
                    logKey: try AuditKeyOptions.parse(key), policies: policies)
            }
            print("restored: \(backup)")
            BackupCommand.printSummary(report.summary)
            print(
                "audit log: \(report.auditRecordsChecked) records, \(report.auditCheckpointsVerified) checkpoints verified, "
                    + "\(report.savedCheckpointsUsed) saved outside the database matched")
            print("live destruction register entries not in the backup: \(report.reapplied.count)")
            for item in report.reapplied {
                let what = item.entry.scope == "fields" ? "fields " + item.entry.categories.joined(separator: ",") : "subject"
                let when = item.entry.destroyedAt.ISO8601Format()
                switch item.outcome {
                case .success(.erased(let tokens)): print("  \(item.entry.subject) \(what) \(when): erased again (\(tokens.count) subject(s))")
                case .success(.fieldsDestroyed): print("  \(item.entry.subject) \(what) \(when): destroyed again")
                case .success(.alreadyDestroyed): print("  \(item.entry.subject) \(what) \(when): already destroyed in the backup")
                case .success(.notInSnapshot): print("  \(item.entry.subject) \(what) \(when): not in the backup")
                case .failure(let error): print("  \(item.entry.subject) \(what) \(when): NOT RE-APPLIED (\(error.code.rawValue))")
                }
            }
            guard report.isComplete else {
                FileHandle.standardError.write(Data("error: some erasures were not re-applied, so the restored data was removed from the target\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    /// Prints a summary: the manifest and the size, nothing of the contents.
    static func printSummary(_ summary: BackupSummary) {
        let manifest = summary.manifest
        Swift.print("created at: \(manifest.createdAt.ISO8601Format())")
        Swift.print("migrations version: \(manifest.migrationsVersion)")
        if let checkpoint = manifest.newestCheckpoint {
            Swift.print(
                "newest audit checkpoint: \(checkpoint.sequence) (tree size \(checkpoint.treeSize), root \(checkpoint.rootHash), signed \(checkpoint.signedAt.ISO8601Format()))"
            )
        } else {
            Swift.print("newest audit checkpoint: none")
        }
        Swift.print("dump: \(manifest.dumpFormat) format, \(summary.dumpByteCount) bytes in \(summary.chunkCount) chunk(s)")
    }

    /// Runs `body`; a ``BackupError`` becomes its one-line message and exit status 1.
    static func reporting<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as BackupError {
            FileHandle.standardError.write(Data(("error: \(error)\n").utf8))
            throw ExitCode(1)
        }
    }
}
