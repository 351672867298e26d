import ArgumentParser
import Logging
import Platform
import PostgreSQL
import Storage

/// How an administrator's command (`bilet certs …`, `bilet accounts …`) reaches the database,
/// and who acts. Without `database.url` the private local cluster is used.
struct AdministratorOptions: ParsableArguments {
    @OptionGroup var configuration: ConfigurationOptions

    @Option(name: .customLong("database-url"), help: ArgumentHelp("A libpq connection string or URI; overrides the configuration.", valueName: "url"))
    var databaseURL: String?

    @Option(help: ArgumentHelp("Who acts: an identifier such as admin:ivanova (recorded in the audit log; default cli:<login>).", valueName: "identifier"))
    var actor: String?

    var actorIdentifier: String { actor ?? CertsCommand.defaultActor }

    /// The database named by the configuration and `--database-url`.
    func platformDatabase(label: String = "bilet.admin") async throws -> PlatformDatabase {
        try PlatformDatabase(settings: try await configuration.load().database, url: databaseURL, logger: Logger(label: label))
    }

    /// Runs `body` with a small pool connecting as `component`'s role, shut down afterwards.
    func withPool<Result>(for component: Component, _ body: (PostgresConnectionPool) async throws -> Result) async throws -> Result {
        let database = try await platformDatabase()
        let components = try database.components(
            for: [component], maxConnectionsPerComponent: 2, acquireTimeout: .seconds(10), requirePasswords: false)
        return try await components.makePool(for: component).closing(body)
    }
}
