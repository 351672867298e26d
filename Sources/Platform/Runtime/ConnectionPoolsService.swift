import PostgreSQL
import ServiceLifecycle

/// Shuts down pools shared by several services (the vault's, the CA's) once graceful shutdown
/// reaches it. Place it before the services that use the pools: a service group stops its services
/// in reverse order, so the pools close after their last user stopped.
struct ConnectionPoolsService: Service {
    let pools: [PostgresConnectionPool]

    func run() async throws {
        try? await gracefulShutdown()
        for pool in pools { await pool.shutdown() }
    }
}
