import Foundation
import Synchronization

/// Growing delays after failed pupil sign-ins, per typed login AND per client address: after the
/// n-th consecutive failure of a key, attempts of that key are refused for
/// `base · 2^(n-1)` (at most ``maximumDelay``) without a password check. A success clears the
/// login's count (not the address's).
///
/// Keyed by the login as typed, whether an account has it or not, so the delays tell nothing about
/// which logins exist; a refused attempt is answered exactly as a wrong password. Memory is
/// bounded (``maximumKeys``; beyond it, the keys whose delay ended longest ago go first). Each
/// gateway keeps its own counts.
public final class PupilThrottle: Sendable {
    private struct Entry {
        var failures: Int
        var blockedUntil: ContinuousClock.Instant
    }

    /// The delay after the first failure.
    public let baseDelay: Duration
    /// The longest delay.
    public let maximumDelay: Duration
    /// The most keys tracked.
    public let maximumKeys: Int
    private let entries = Mutex<[String: Entry]>([:])
    private let now: @Sendable () -> ContinuousClock.Instant

    /// A throttle doubling from `baseDelay` up to `maximumDelay`; `now` is the clock the delays run
    /// on (the continuous clock; tests pass one they advance themselves).
    public init(
        baseDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(15 * 60), maximumKeys: Int = 100_000,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maximumKeys = max(2, maximumKeys)
        self.now = now
    }

    /// The delay after `failures` consecutive failures.
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let doubled = baseDelay * (1 << min(failures - 1, 30))
        return min(doubled, maximumDelay)
    }

    /// Whether an attempt for `login` from `address` must be refused now.
    public func isBlocked(login: String, address: String?) -> Bool {
        let now = self.now()
        return entries.withLock { entries in
            [Self.loginKey(login), address.map(Self.addressKey)].compactMap { $0 }.contains { key in
                (entries[key]?.blockedUntil).map { $0 > now } ?? false
            }
        }
    }

    /// Counts a failure for `login` and `address`.
    public func recordFailure(login: String, address: String?) {
        let now = self.now()
        entries.withLock { entries in
            if entries.count >= maximumKeys {
                let oldest = entries.sorted { $0.value.blockedUntil < $1.value.blockedUntil }.prefix(maximumKeys / 2).map(\.key)
                for key in oldest { entries[key] = nil }
            }
            for key in [Self.loginKey(login), address.map(Self.addressKey)].compactMap({ $0 }) {
                let failures = (entries[key]?.failures ?? 0) + 1
                entries[key] = Entry(failures: failures, blockedUntil: now + delay(afterFailures: failures))
            }
        }
    }

    /// Clears `login`'s count after a success.
    public func recordSuccess(login: String) {
        _ = entries.withLock { $0.removeValue(forKey: Self.loginKey(login)) }
    }

    /// Consecutive failures counted for `login` (for tests and metrics).
    public func failures(login: String) -> Int {
        entries.withLock { $0[Self.loginKey(login)]?.failures ?? 0 }
    }

    private static func loginKey(_ login: String) -> String { "l:" + (AccountStore.normalisedLogin(login) ?? login) }
    private static func addressKey(_ address: String) -> String { "a:" + address }
}
