import Logging
import ServiceLifecycle
import Storage

/// Keeps the private PostgreSQL cluster for the life of `bilet serve` and stops it cleanly on
/// graceful shutdown, if this process started it.
struct LocalClusterService: Service {
    let cluster: LocalCluster
    let startedHere: Bool
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        guard startedHere else { return }
        do {
            try await cluster.stop()
        } catch {
            logger.error("local postgres did not stop cleanly", metadata: ["error": "\(error)"])
            throw error
        }
    }
}
