import Foundation
import LocalSocket
import Logging
import ServiceLifecycle

/// Announces readiness from inside the running service group, once everything the process serves is
/// up (each gateway listener bound, the vault's control and door sockets answering, the CA's renewal
/// socket answering), so the announcement comes only after the group has trapped SIGTERM and SIGINT:
/// a supervisor that stops bilet as soon as it reads the line always gets a clean, graceful stop, and
/// one that connects gets an answer.
///
/// Run under `bilet serve`'s supervisor, the process also writes its metadata as JSON to the ready
/// file the supervisor named; the supervisor announces "bilet is ready" once every child has. Run
/// as a systemd unit of `Type=notify` (config/systemd), it sends `READY=1` to the service manager's
/// socket at the same moment, and `STOPPING=1` when a graceful stop begins.
package struct ReadinessService: Service {
    /// How readiness is announced.
    package struct Announcement: Sendable {
        /// The log message (`component ready`).
        var message: Logger.Message = "component ready"
        /// The file the supervisor waits for, if any.
        var readyFile: String?

        package init(readyFile: String? = nil) { self.readyFile = readyFile }
    }

    let logger: Logger
    let metadata: Logger.Metadata
    let progress: StartupProgress
    let announcement: Announcement

    package func run() async throws {
        let complete = await cancelWhenGracefulShutdown { await progress.wait() }
        guard complete, !Task.isShuttingDownGracefully else { return }
        logger.info(announcement.message, metadata: metadata)
        if let readyFile = announcement.readyFile {
            let fields = metadata.mapValues { "\($0)" }
            let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
            _ = FileManager.default.createFile(atPath: readyFile + ".new", contents: data, attributes: [.posixPermissions: 0o600])
            _ = try? FileManager.default.moveItem(atPath: readyFile + ".new", toPath: readyFile)
        }
        ServiceManagerNotification.ready(status: "\(announcement.message)").send(logger: logger)
        try? await gracefulShutdown()
        ServiceManagerNotification.stopping(status: "stopping").send(logger: logger)
    }
}
