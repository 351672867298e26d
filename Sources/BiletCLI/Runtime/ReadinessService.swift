import Logging
import ServiceLifecycle

/// Announces "bilet is ready" from inside the running service group, so the announcement comes
/// only after the group has trapped SIGTERM and SIGINT: a supervisor that stops bilet as soon
/// as it reads the line always gets a clean, graceful stop.
struct ReadinessService: Service {
    let logger: Logger
    let metadata: Logger.Metadata

    func run() async throws {
        logger.info("bilet is ready", metadata: metadata)
        try? await gracefulShutdown()
    }
}
