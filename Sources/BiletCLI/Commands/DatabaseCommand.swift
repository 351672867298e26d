import ArgumentParser
import Logging
import Platform
import Storage

/// `bilet db …`: the database bilet uses.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Starts, stops and migrates the database bilet uses.",
        subcommands: [Start.self, Stop.self, Status.self, Migrate.self])

    /// `bilet db start`
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Starts the private PostgreSQL cluster (creating it on first use) and leaves it running.")
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let (database, logger) = try await DatabaseCommand.open(options)
            guard database.cluster != nil else { throw DatabaseCommand.configuredDatabase }
            try await database.start(logger: logger)
            print("The private PostgreSQL cluster is running.")
        }
    }

    /// `bilet db stop`
    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stops the private PostgreSQL cluster; open transactions are rolled back.")
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let (database, _) = try await DatabaseCommand.open(options)
            guard let cluster = database.cluster else { throw DatabaseCommand.configuredDatabase }
            try await cluster.stop()
            print("The private PostgreSQL cluster is stopped.")
        }
    }

    /// `bilet db status`
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Says whether the private PostgreSQL cluster exists and is running.")
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let (database, _) = try await DatabaseCommand.open(options)
            guard let cluster = database.cluster else {
                print("bilet uses the configured database (database.url); it does not manage it.")
                return
            }
            switch try await cluster.status() {
            case .notInitialised: print("No private cluster exists yet under \(cluster.directory).")
            case .stopped: print("The private cluster under \(cluster.directory) is stopped.")
            case .running: print("The private cluster under \(cluster.directory) is running.")
            }
        }
    }

    /// `bilet db migrate`
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Applies every database migration not yet applied and gives each component role its own password, then exits.",
            discussion: """
                The only command that uses the database owner's credentials. Serving processes never migrate: \
                they refuse to start while a migration is pending. Each component role (bilet_gateway, \
                bilet_vault, …) gets a random SCRAM password, made once and kept in its own 0600 file under \
                database.credentials_directory; in production give each file to the system user of the \
                process that runs that component.
                """)
        @OptionGroup var options: ConfigurationOptions

        @Flag(help: "Give every component role a new password (restart the serving processes afterwards).")
        var rotateCredentials = false

        func run() async throws {
            let (database, logger) = try await DatabaseCommand.open(options)
            let started = try await database.start(logger: logger)
            let outcome: (Migrator.Report, RoleCredentials.Report)
            do {
                outcome = try await database.migrate(logger: logger, rotateCredentials: rotateCredentials)
            } catch {
                if started { try? await database.cluster?.stop() }
                throw error
            }
            // A private cluster this command started is left as it was found.
            if started { try await database.cluster?.stop() }
            let (report, credentials) = outcome
            logger.info(
                "migrations applied",
                metadata: ["applied": "\(report.applied.count)", "already_applied": "\(report.alreadyApplied.count)"])
            print("Applied \(report.applied.count) migration(s); \(report.alreadyApplied.count) were already applied.")
            print(
                "Component role passwords: \(credentials.created.count) made, \(credentials.kept.count) kept, in \(database.credentials.directory)."
            )
        }
    }

    static let configuredDatabase = ValidationError(
        "bilet uses the configured database (database.url) and does not start or stop it.")

    static func open(_ options: ConfigurationOptions) async throws -> (PlatformDatabase, Logger) {
        let settings = try await options.load()
        ProcessLogging.bootstrap(settings.log)
        let logger = Logger(label: "bilet")
        return (try PlatformDatabase(settings: settings.database, logger: logger), logger)
    }
}
