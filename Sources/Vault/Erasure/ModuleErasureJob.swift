public import Logging
public import ServiceLifecycle

/// Drains the module erasure queue (``Vault/drainModuleErasures(subject:limit:)``) periodically
/// while the vault is unsealed: a module that failed a pupil's erasure is tried again (with the
/// queue's own backoff) until it confirms, and each module is swept once more after the grace
/// period.
///
/// Add it to the vault process's `ServiceGroup`; it stops on graceful shutdown.
public struct ModuleErasureJob: Service {
    public let vault: Vault
    /// Time between drains.
    public let interval: Duration
    private let logger: Logger

    /// Creates the job.
    public init(vault: Vault, interval: Duration = .seconds(60), logger: Logger = Logger(label: "bilet.vault.module-erasure")) {
        self.vault = vault
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if vault.isUnsealed {
                    do {
                        let drain = try await vault.drainModuleErasures()
                        if drain.erased + drain.swept + drain.failed > 0 {
                            logger.info(
                                "module erasure drain",
                                metadata: ["erased": "\(drain.erased)", "swept": "\(drain.swept)", "failed": "\(drain.failed)"])
                        }
                    } catch {
                        logger.error("module erasure drain failed", metadata: ["error": "\(error)"])
                    }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
