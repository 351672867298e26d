import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall clock for certificate decisions, which does not go back while the process runs.
///
/// A reading is the wall clock, or, when that is earlier, the first reading plus the monotonic
/// time since it. After the system clock is stepped back (by an operator, a bad NTP source or an
/// attacker), a certificate that expired by the real time therefore stays expired; the wall clock
/// is followed again once it passes that time. A clock stepped forward is followed at once (a
/// later time refuses more, never less), and only while it stays forward: the floor comes from the
/// first reading, never from a later wall reading, so a brief step forward that is then corrected
/// does not leave every certificate expired until a restart. Together with GnuTLS's own check against the wall
/// clock (which refuses a certificate not yet valid by it), a step either way fails closed.
/// A clock that was already wrong when the process started is not detected.
public final class SteadyWallClock: Sendable {
    private let anchor = Mutex<(wall: Int, monotonic: Int)?>(nil)

    /// A clock with no reading yet.
    public init() {}

    /// The process's clock for client certificate decisions (``ClientCertificateVerifier/systemClock()``).
    public static let shared = SteadyWallClock()

    /// The next reading, in seconds since 1970 (UTC), from a wall and a monotonic reading in seconds.
    public func reading(wall: Int, monotonic: Int) -> Int {
        self.anchor.withLock { anchor in
            guard let first = anchor else {
                anchor = (wall, monotonic)
                return wall
            }
            return max(wall, first.wall + max(0, monotonic - first.monotonic))
        }
    }

    /// The next reading from the system's clocks (`CLOCK_REALTIME`, `CLOCK_MONOTONIC`).
    public func now() -> Int {
        var wall = timespec()
        var monotonic = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        clock_gettime(CLOCK_MONOTONIC, &monotonic)
        return self.reading(wall: Int(wall.tv_sec), monotonic: Int(monotonic.tv_sec))
    }
}
