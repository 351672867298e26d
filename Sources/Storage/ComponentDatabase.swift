public import Logging
public import PostgreSQL

/// Builds each component's connection pool from one base configuration, connecting as the
/// component's own role (`user` overridden to ``Component/roleName``, `application_name` to
/// `bilet-<component>`). The base connection string itself is passed on untouched.
public struct ComponentDatabase: Sendable {
    /// The configuration every component's pool starts from.
    public let base: PostgresConfiguration
    /// The most connections each component's pool opens.
    public let maxConnectionsPerComponent: Int
    /// How long a caller waits for a free connection.
    public let acquireTimeout: Duration
    /// The passwords this process holds, by component: only those of the components it runs (see
    /// ``DatabaseCredentials``). A component without one connects without a password, which a server
    /// that requires SCRAM refuses (fail closed).
    public let passwords: [Component: String]

    /// Creates the factory.
    public init(
        base: PostgresConfiguration,
        maxConnectionsPerComponent: Int = 10,
        acquireTimeout: Duration = .seconds(10),
        passwords: [Component: String] = [:]
    ) {
        self.base = base
        self.maxConnectionsPerComponent = maxConnectionsPerComponent
        self.acquireTimeout = acquireTimeout
        self.passwords = passwords
    }

    /// The configuration `component` connects with: its role, and its own password when this process
    /// holds it (never the base's password override).
    public func configuration(for component: Component) -> PostgresConfiguration {
        var configuration = base.connecting(as: component.roleName)
        configuration.password = passwords[component]
        configuration.applicationName = "bilet-\(component.rawValue)"
        return configuration
    }

    /// A new pool connecting as `component`'s role, with its own libpq thread pool. The caller owns
    /// it and calls `shutdown()`.
    public func makePool(
        for component: Component,
        logger: Logger = Logger(label: "bilet.postgres.pool")
    ) -> PostgresConnectionPool {
        var logger = logger
        logger[metadataKey: "component"] = "\(component.rawValue)"
        return PostgresConnectionPool(
            configuration: configuration(for: component),
            maxConnections: maxConnectionsPerComponent,
            acquireTimeout: acquireTimeout,
            logger: logger)
    }
}
