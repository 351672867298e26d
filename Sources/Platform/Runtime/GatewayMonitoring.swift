import Logging
import Monitoring
import PostgreSQL
import Settings
import Storage
import VaultDoor

/// The gateway process's metrics and readiness, when `gateway.admin_listener` is set: the metrics
/// every listener counts into, the audit log reading (on a read-only `bilet_auditor` pool of its
/// own, so a scrape never waits behind requests for a connection) and the readiness checks (on a
/// `bilet_gateway` pool of its own, with the vault's door).
struct GatewayMonitoring {
    let metrics: GatewayMetrics
    let auditLog: AuditLogReading
    let readiness: Readiness
    /// The pools the caller shuts down after the services stopped.
    let pools: [PostgresConnectionPool]

    /// The monitoring of a gateway with `settings`; `nil` without an admin listener.
    static func make(_ settings: GatewaySettings, door: VaultDoorClient, database: ComponentDatabase, logger: Logger) -> GatewayMonitoring? {
        guard let admin = settings.adminListener else { return nil }
        let metrics = GatewayMetrics(listeners: settings.listeners.map(\.name) + [admin.name])
        let auditor = database.makePool(for: .auditor, logger: logger)
        let own = database.makePool(for: .gateway, logger: logger)
        // readiness asks through `door` as given, unobserved: they are not the door traffic counted
        return GatewayMonitoring(
            metrics: metrics, auditLog: AuditLogReading(pool: auditor, metrics: metrics),
            readiness: Readiness(pool: own, door: door), pools: [auditor, own])
    }
}
