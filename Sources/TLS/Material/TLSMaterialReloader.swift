public import Logging
public import ServiceLifecycle
import UnixSignals

/// Keeps a ``TLSMaterialStore`` current: reloads on SIGHUP, and whenever one of its files changes
/// on disk (checked every `pollInterval` by stat, which costs nothing when nothing changed).
///
/// A service for a `ServiceGroup`; it ends on graceful shutdown. A failed reload keeps the old
/// material (the store logs the error) and is retried only when the files change again or on the
/// next SIGHUP.
public struct TLSMaterialReloader: Service {
    private let store: TLSMaterialStore
    private let pollInterval: Duration
    private let watchesSIGHUP: Bool
    private let logger: Logger

    /// Makes a reloader.
    ///
    /// - Parameters:
    ///   - pollInterval: how often file stamps are checked; revocations reach live connections
    ///     within about this long after the CRL file is replaced.
    ///   - watchesSIGHUP: whether SIGHUP triggers a reload (one process-wide handler; tests that
    ///     run several gateways in one process turn it off).
    public init(store: TLSMaterialStore, pollInterval: Duration = .seconds(1), watchesSIGHUP: Bool = true, logger: Logger) {
        self.store = store
        self.pollInterval = pollInterval
        self.watchesSIGHUP = watchesSIGHUP
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                if self.watchesSIGHUP {
                    group.addTask {
                        let signals = await UnixSignalsSequence(trapping: .sighup)
                        for await _ in signals {
                            self.store.reload(reason: "SIGHUP")
                        }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            try await Task.sleep(for: self.pollInterval)
                        } catch {
                            return
                        }
                        self.store.reloadIfChanged()
                    }
                }
            }
        }
    }
}
