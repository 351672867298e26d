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

    /// Creates the factory.
    public init(
        base: PostgresConfiguration,
        maxConnectionsPerComponent: Int = 10,
        acquireTimeout: Duration = .seconds(10)
    ) {
        self.base = base
        self.maxConnectionsPerComponent = maxConnectionsPerComponent
        self.acquireTimeout = acquireTimeout
    }

    /// The configuration `component` connects with.
    public func configuration(for component: Component) -> PostgresConfiguration {
        var configuration = base.connecting(as: component.roleName)
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
