import Logging
import ServiceLifecycle

/// Announces "bilet is ready" from inside the running service group, once every listener is bound
/// and the vault control socket answers, so the announcement comes only after the group has
/// trapped SIGTERM and SIGINT and everything a client may use is up: a supervisor that stops bilet
/// as soon as it reads the line always gets a clean, graceful stop, and one that connects gets an
/// answer.
struct ReadinessService: Service {
    let logger: Logger
    let metadata: Logger.Metadata
    let progress: StartupProgress

    func run() async throws {
        let complete = await cancelWhenGracefulShutdown { await progress.wait() }
        guard complete, !Task.isShuttingDownGracefully else { return }
        logger.info("bilet is ready", metadata: metadata)
        try? await gracefulShutdown()
    }
}
