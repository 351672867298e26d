import LocalSocket
import Logging

extension ServiceManagerNotification {
    /// Sends the notification to the service manager whose socket `NOTIFY_SOCKET` names, if any, and
    /// logs a failure instead of throwing: a `Type=notify` unit that never hears `READY=1` is stopped
    /// by systemd at its start timeout, and this line says why.
    func send(logger: Logger) {
        do {
            try send(to: Environment.value(of: Self.socketVariable))
        } catch {
            logger.error("the service manager was not notified", metadata: ["error": "\(error)"])
        }
    }
}
