public import Logging
public import ServiceLifecycle

/// The background re-wrap of data keys after ``Vault/rotate(by:)``: resumable (the state is in
/// the rows themselves, so a restart continues where it stopped), rate-limited, and it retires
/// the old KEK once nothing uses it. Idle while the vault is sealed.
///
/// Add it to the process's `ServiceGroup`; it stops on graceful shutdown.
public struct KeyRotationJob: Service {
    /// The vault whose keys it re-wraps.
    public let vault: Vault
    /// Data keys per transaction.
    public let batchSize: Int
    /// The most data keys re-wrapped per second (the rate limit).
    public let keysPerSecond: Int
    /// How long to wait when there is nothing to do.
    public let idleInterval: Duration
    private let logger: Logger

    /// Creates the job.
    public init(
        vault: Vault, batchSize: Int = 500, keysPerSecond: Int = 5_000, idleInterval: Duration = .seconds(5),
        logger: Logger = Logger(label: "bilet.vault.rotation")
    ) {
        precondition(batchSize > 0 && keysPerSecond > 0)
        self.vault = vault
        self.batchSize = batchSize
        self.keysPerSecond = keysPerSecond
        self.idleInterval = idleInterval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let pause = await step()
                try? await Task.sleep(for: pause)
            }
        }
    }

    /// One step: re-wrap a batch, or retire finished versions; returns how long to wait.
    public func step() async -> Duration {
        guard vault.isUnsealed else { return idleInterval }
        do {
            let count = try await vault.rewrapDataKeys(limit: batchSize)
            if count > 0 {
                logger.info("re-wrapped data keys", metadata: ["count": "\(count)"])
                return .milliseconds(max(1, count * 1_000 / keysPerSecond))
            }
            let retired = try await vault.retireUnusedKEKs()
            for version in retired {
                logger.notice("key-encryption key retired", metadata: ["version": "\(version)"])
            }
        } catch {
            logger.error("key rotation step failed", metadata: ["error": "\(error)"])
        }
        return idleInterval
    }
}
