import Accounts
import ServiceLifecycle

/// Writes the aggregated authentication failures every few seconds, and what is left on graceful
/// shutdown (before the pools close: it starts after them, so it stops before them).
struct AuthFailureAggregatorService: Service {
    let aggregator: AuthFailureAggregator

    func run() async throws {
        await cancelWhenGracefulShutdown { await aggregator.run() }
    }
}
