import Logging
import ServiceLifecycle
import UnixSignals

/// Keeps SIGHUP from stopping a component that has nothing to reload (the CA, the sequencer).
struct HangupIgnored: Service {
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                logger.info("SIGHUP: nothing to reload in this component")
            }
        }
    }
}
