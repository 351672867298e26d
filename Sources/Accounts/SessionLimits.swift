/// How long sessions live and when repeated failures lock an account.
public struct SessionLimits: Sendable, Hashable {
    /// A session ends this long after login, however active (8 hours).
    public var absoluteLifetime: Duration
    /// A session ends after this long without a request (30 minutes).
    public var idleTimeout: Duration
    /// This many consecutive failed logins lock the account (5).
    public var maximumFailedAttempts: Int
    /// For this long (15 minutes).
    public var lockDuration: Duration

    /// How stale a session's `last_seen` may get before resolving its token writes it again: a
    /// tenth of the idle timeout, at most this (5 seconds). Staff and pupil sessions alike read the
    /// live session without a lock and touch its row only past this, so a client's parallel
    /// requests do not queue on the one session row and write it once each.
    public static let lastSeenResolution: Duration = .seconds(5)

    /// The limits; the defaults are the platform's.
    public init(
        absoluteLifetime: Duration = .seconds(8 * 3600), idleTimeout: Duration = .seconds(30 * 60),
        maximumFailedAttempts: Int = 5, lockDuration: Duration = .seconds(15 * 60)
    ) {
        self.absoluteLifetime = absoluteLifetime
        self.idleTimeout = idleTimeout
        self.maximumFailedAttempts = maximumFailedAttempts
        self.lockDuration = lockDuration
    }
}

extension Duration {
    /// Whole and fractional seconds, for SQL intervals.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
