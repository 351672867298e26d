public import Foundation

/// A value the gateway learnt for a pupil session (the pupil's module token, from the vault's
/// door), kept for a short time so that a pupil's requests do not each cost a door call, a vault
/// transaction and an audit record (attack review #4).
///
/// An entry lives until the first of: ``ttl`` (less up to ``jitter``) after it was filled (then the next request asks
/// again, so a consent withdrawal, an erasure or a disabled account takes effect within ``ttl``),
/// the session's own expiry, or ``remove(session:)`` (logout). Concurrent requests of one session
/// wait for one fill; a fill that fails is not kept. At most ``capacity`` sessions are held:
/// expired entries are dropped first, then the oldest tenth.
public actor PupilSessionCache<Value: Sendable> {
    private enum Entry {
        case filling(Task<Value, any Error>, generation: Int)
        case ready(Value, until: Date)
    }

    /// How long a filled value is used before it is asked for again, at most.
    public let ttl: Duration
    /// The share of ``ttl`` an entry may end sooner, drawn per fill (0.2: between 80 % and 100 % of
    /// it), so sessions filled together (a class starting a test at once) are not all asked for
    /// again in the same instant: the bench saw 1,000 simultaneous refills overflow the vault's door.
    public let jitter: Double
    /// The most sessions held at once.
    public let capacity: Int
    private let now: @Sendable () -> Date
    private var entries: [String: Entry] = [:]
    private var generation = 0
    /// Fills made (each one door call and one audit record in the vault).
    public private(set) var fills = 0

    /// A cache keeping values for `ttl`, holding at most `capacity` sessions, on clock `now`.
    public init(
        ttl: Duration = .seconds(60), jitter: Double = 0.2, capacity: Int = 100_000, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.ttl = ttl
        self.jitter = min(max(jitter, 0), 0.9)
        self.capacity = max(capacity, 16)
        self.now = now
    }

    /// The value of pupil session `session` (its `ses_…` id) that ends at `expiresAt`: the kept one
    /// while it is fresh, otherwise `fill()`'s (kept when it succeeds). A failing fill's error is
    /// thrown to every request waiting for it.
    public func value(session key: String, expiresAt: Date, fill: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let at = now()
        switch entries[key] {
        case .ready(let value, let until)? where at < until:
            return value
        case .filling(let task, _)?:
            return try await task.value
        default:
            break
        }
        if entries[key] == nil, entries.count >= capacity { prune(at) }
        generation += 1
        let mine = generation
        let task = Task { try await fill() }
        entries[key] = .filling(task, generation: mine)
        fills += 1
        do {
            let value = try await task.value
            if case .filling(_, let current)? = entries[key], current == mine {
                let full = Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
                let seconds = full * (1 - Double.random(in: 0...jitter))
                entries[key] = .ready(value, until: min(now().addingTimeInterval(seconds), expiresAt))
            }
            return value
        } catch {
            if case .filling(_, let current)? = entries[key], current == mine { entries[key] = nil }
            throw error
        }
    }

    /// Forgets `session`'s value (the pupil signed out).
    public func remove(session: String) {
        entries[session] = nil
    }

    /// Sessions held (for tests).
    public var count: Int { entries.count }

    private func prune(_ at: Date) {
        entries = entries.filter { _, entry in
            if case .ready(_, let until) = entry { return at < until }
            return true
        }
        guard entries.count >= capacity * 9 / 10 else { return }
        let oldest = entries.compactMap { key, entry -> (String, Date)? in
            if case .ready(_, let until) = entry { return (key, until) }
            return nil
        }.sorted { $0.1 < $1.1 }.prefix(max(capacity / 10, 1))
        for (key, _) in oldest { entries[key] = nil }
    }
}
