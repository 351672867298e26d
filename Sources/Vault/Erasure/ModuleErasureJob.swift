import Foundation
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

    /// One warning per module with a part of an erasure pending for longer than
    /// ``Vault/moduleErasureOverdueAfter``: the module, how many, the oldest's age and last error
    /// code; never a token.
    private func warnOverdue() async {
        do {
            let overdue = try await vault.overdueModuleErasures()
            let now = Date()
            for (module, rows) in Dictionary(grouping: overdue, by: \.module).sorted(by: { $0.key < $1.key }) {
                guard let oldest = rows.min(by: { $0.queuedAt < $1.queuedAt }) else { continue }
                logger.warning(
                    "module erasure overdue",
                    metadata: [
                        "module": "\(module)", "pending": "\(rows.count)", "oldest_age_seconds": "\(Int(now.timeIntervalSince(oldest.queuedAt)))",
                        "last_error_code": "\(oldest.lastErrorCode ?? "none")",
                    ])
            }
        } catch {
            logger.error("module erasure overdue check failed", metadata: ["error": "\(error)"])
        }
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
                    await warnOverdue()
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
