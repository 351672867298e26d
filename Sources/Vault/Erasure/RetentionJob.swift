public import Logging
public import ServiceLifecycle

/// Runs ``Vault/runRetention(by:)`` periodically while the vault is unsealed: consent expiry,
/// the 30-day destruction deadlines and retention ends, except for subjects under legal hold.
///
/// Add it to the process's `ServiceGroup`; it stops on graceful shutdown.
public struct RetentionJob: Service {
    public let vault: Vault
    /// Time between passes.
    public let interval: Duration
    /// The actor its audit records carry.
    public let actor: String
    private let logger: Logger

    /// Creates the job.
    public init(
        vault: Vault, interval: Duration = .seconds(3_600), actor: String = "service:vault-retention",
        logger: Logger = Logger(label: "bilet.vault.retention")
    ) {
        self.vault = vault
        self.interval = interval
        self.actor = actor
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if vault.isUnsealed {
                    do {
                        let report = try await vault.runRetention(by: actor)
                        logger.info(
                            "retention pass",
                            metadata: [
                                "consents_expired": "\(report.consentsExpired)", "subjects_erased": "\(report.subjectsErased)",
                                "field_deadlines": "\(report.fieldDeadlinesDone)", "held_back": "\(report.heldBack)",
                            ])
                    } catch {
                        logger.error("retention pass failed", metadata: ["error": "\(error)"])
                    }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
