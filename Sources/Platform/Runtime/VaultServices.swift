import Audit
import Foundation
import Logging
import Policy
import PostgreSQL
import ServiceLifecycle
import Settings
import Storage
import Vault

/// The vault of `bilet serve`: always present, and sealed at start. Its control socket
/// (`vault.control_socket`) is how `bilet vault init | unseal | seal | status | rotate` reach it;
/// the key rotation, retention and module erasure jobs idle while it is sealed.
struct VaultServices {
    let vault: Vault
    /// The `bilet_vault` pool; the caller shuts it down after the services stopped.
    let pool: PostgresConnectionPool
    /// The control server, the key rotation job, the retention job and the module erasure job.
    let services: [any Service]

    /// The part ``StartupProgress`` waits for.
    static let controlPart = "vault-control"

    /// Builds the vault over a `bilet_vault` pool, with the process's policy store.
    static func make(
        _ settings: VaultSettings, policies: PolicyStore, database: ComponentDatabase, progress: StartupProgress, logger: Logger
    ) throws -> VaultServices {
        // The control server makes the socket's own directory (mode 0700) but not its parents.
        let socketDirectory = URL(fileURLWithPath: settings.controlSocket).deletingLastPathComponent()
        try FileManager.default.createDirectory(
            at: socketDirectory.deletingLastPathComponent(), withIntermediateDirectories: true)
        let pool = database.makePool(for: .vault, logger: logger)
        let vault = Vault(pool: pool, policies: policies, audit: AuditLog())
        let control = VaultControlServer(
            vault: vault, socketPath: settings.controlSocket, logger: logger,
            onListening: { progress.arrived(Self.controlPart) })
        return VaultServices(
            vault: vault, pool: pool,
            services: [
                control, KeyRotationJob(vault: vault, logger: logger), RetentionJob(vault: vault, logger: logger),
                ModuleErasureJob(vault: vault, logger: logger),
            ])
    }
}
