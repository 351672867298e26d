public import PostgreSQL
public import Storage
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Real PostgreSQL for tests: one throwaway ``LocalCluster`` per test process, started on first
/// use and shared by all tests (safe under parallel tests), and a fresh database per test.
///
/// The cluster lives in a new `/tmp/bilet-pg-XXXXXX` directory (short, for the socket path),
/// runs without fsync, and is stopped and deleted by a watchdog once the test process exits,
/// whether it ends normally or crashes. Databases are not dropped: they go with the cluster.
public enum TestPostgres {
    private struct Shared: Sendable {
        let cluster: LocalCluster
        let admin: PostgresConnectionPool
    }

    /// A database with every bundled migration applied, that migrated test databases are cloned
    /// from: copying it is much cheaper than running the migrations again in each of the hundreds
    /// of databases the suites make at once on two cores. Nobody stays connected to it.
    private static let migratedTemplate = "t_migrated_template"

    private static let shared = Task<Shared, any Error> {
        let cluster = try await makeThrowawayCluster()
        // Creating a database queues behind the others on four connections; waiting is fine here.
        let admin = PostgresConnectionPool(
            configuration: cluster.configuration(), maxConnections: 4, acquireTimeout: .seconds(600))
        try await admin.execute(
            "CREATE DATABASE \(identifier: try SQLIdentifier(migratedTemplate)) TEMPLATE template0 ENCODING 'UTF8'")
        try await TestDatabase(cluster: cluster, name: migratedTemplate).migrate()
        return Shared(cluster: cluster, admin: admin)
    }

    /// The process-wide cluster, started on first use.
    public static func sharedCluster() async throws -> LocalCluster {
        try await shared.value.cluster
    }

    /// A new, empty database in the shared cluster; with `migrated`, bilet's bundled migrations are
    /// applied to it first.
    public static func makeDatabase(migrated: Bool = false) async throws -> TestDatabase {
        let shared = try await shared.value
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24)
        let identifier = try SQLIdentifier(String(name))
        guard migrated else {
            try await shared.admin.execute(
                "CREATE DATABASE \(identifier: identifier) TEMPLATE template0 ENCODING 'UTF8'")
            return TestDatabase(cluster: shared.cluster, name: String(name))
        }
        try await shared.admin.execute(
            "CREATE DATABASE \(identifier: identifier) TEMPLATE \(identifier: try SQLIdentifier(migratedTemplate))")
        // Database privileges live in pg_database, not in the copy: repeat what migration 0001 does.
        try await shared.admin.execute("REVOKE CREATE, TEMPORARY ON DATABASE \(identifier: identifier) FROM PUBLIC")
        return TestDatabase(cluster: shared.cluster, name: String(name))
    }

    /// A cluster of its own, for tests that stop or restart PostgreSQL. Started; stopped and
    /// deleted when the test process exits (or earlier by the test).
    public static func makeDedicatedCluster() async throws -> LocalCluster {
        try await makeThrowawayCluster()
    }

    private static func makeThrowawayCluster() async throws -> LocalCluster {
        var template = Array("/tmp/bilet-pg-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let root = String(cString: created)
        // The cluster's system user (when running as root) must be able to traverse the root.
        guard chmod(root, 0o711) == 0 else { throw CocoaError(.fileWriteNoPermission) }
        let cluster = try LocalCluster(directory: root + "/cluster", durable: false, maxConnections: 300)
        try ExitWatchdog.watch(dataDirectory: cluster.dataDirectory, removing: root)
        try await cluster.start()
        return cluster
    }
}

/// A fresh database of the shared test cluster.
public struct TestDatabase: Sendable {
    /// The cluster holding it.
    public let cluster: LocalCluster
    /// The database name.
    public let name: String

    /// Connects as the cluster's superuser to this database.
    public var configuration: PostgresConfiguration {
        cluster.configuration(database: name)
    }

    /// Connects to this database as `role`.
    public func configuration(as role: String) -> PostgresConfiguration {
        configuration.connecting(as: role)
    }

    /// Each component's pool for this database, connecting as the component's role; a caller waits
    /// up to `acquireTimeout` for a free connection.
    public func components(maxConnectionsPerComponent: Int = 2, acquireTimeout: Duration = .seconds(10)) -> ComponentDatabase {
        ComponentDatabase(base: configuration, maxConnectionsPerComponent: maxConnectionsPerComponent, acquireTimeout: acquireTimeout)
    }

    /// Applies bilet's bundled migrations as the superuser.
    @discardableResult
    public func migrate(_ migrator: Migrator? = nil) async throws -> Migrator.Report {
        let migrator = try migrator ?? Migrator.bundled()
        return try await withPool { pool in try await migrator.migrate(using: pool) }
    }

    /// Runs `body` with a pool to this database (as the superuser, or as `user`), shut down after.
    @discardableResult
    public func withPool<Result>(
        user: String? = nil,
        maxConnections: Int = 4,
        acquireTimeout: Duration = .seconds(30),
        _ body: (PostgresConnectionPool) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.user = user ?? configuration.user
        return try await PostgresConnectionPool.using(
            configuration: configuration, maxConnections: maxConnections, acquireTimeout: acquireTimeout, body)
    }
}
