public import Logging
import Synchronization

/// Rate-limits the log lines of refused connections (review finding L10): an anonymous client
/// opening connections in a loop must not write one line each.
///
/// Wraps a listener's log handler. A line that carries the `tls.refusal` metadata key (a refused
/// client certificate, a connection over a limit) is written at most once per ``interval`` for
/// each message and refusal code; the lines dropped in between are counted, and the next line
/// written for that message and code carries the count as `tls.suppressed`. Every other line
/// passes through unchanged.
public struct RefusalLogLimiter: LogHandler {
    /// The shared per-key state of one listener's limiter.
    final class State: Sendable {
        let interval: Duration
        private let windows = Mutex<[String: (opened: ContinuousClock.Instant, suppressed: Int)]>([:])

        init(interval: Duration) {
            self.interval = interval
        }

        /// Nil to drop the line; otherwise how many lines with `key` were dropped before it.
        func admit(_ key: String, now: ContinuousClock.Instant) -> Int? {
            self.windows.withLock { windows in
                if let window = windows[key], now - window.opened < self.interval {
                    windows[key] = (window.opened, window.suppressed + 1)
                    return nil
                }
                let suppressed = windows[key]?.suppressed ?? 0
                windows[key] = (now, 0)
                return suppressed
            }
        }
    }

    /// The metadata key a refusal line carries, and that the limiter keys on.
    public static let refusalKey = "tls.refusal"
    /// The metadata key of the number of lines dropped since the last one written.
    public static let suppressedKey = "tls.suppressed"

    private var inner: any LogHandler
    let state: State

    /// Wraps `inner`, writing each kind of refusal line at most once per `interval`.
    public init(wrapping inner: any LogHandler, interval: Duration = .seconds(1)) {
        self.inner = inner
        self.state = State(interval: interval)
    }

    /// At most one line written per message and refusal code in this interval.
    public var interval: Duration { self.state.interval }

    public var metadata: Logger.Metadata {
        get { self.inner.metadata }
        set { self.inner.metadata = newValue }
    }

    public var logLevel: Logger.Level {
        get { self.inner.logLevel }
        set { self.inner.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.inner[metadataKey: key] }
        set { self.inner[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        guard let refusal = event.metadata?[Self.refusalKey] ?? self.inner[metadataKey: Self.refusalKey] else {
            self.inner.log(event: event)
            return
        }
        guard let suppressed = self.state.admit("\(event.message)\u{0}\(refusal)", now: .now) else { return }
        var event = event
        if suppressed > 0 {
            var metadata = event.metadata ?? [:]
            metadata[Self.suppressedKey] = "\(suppressed)"
            event.metadata = metadata
        }
        self.inner.log(event: event)
    }
}
