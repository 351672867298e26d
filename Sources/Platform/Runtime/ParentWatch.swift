import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Stops a supervised component when its supervisor is gone (killed without a chance to stop it).
struct ParentWatch: Service {
    let parent: pid_t
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // A parent of 1 at start means the supervisor was already gone when this child began.
                if getppid() != parent || parent == 1 {
                    logger.error("the supervisor is gone; stopping")
                    kill(getpid(), SIGTERM)
                    return
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
