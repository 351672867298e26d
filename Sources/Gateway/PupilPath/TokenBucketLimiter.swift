import Synchronization

/// Token buckets per key (a client address, a pupil session), in bounded memory.
///
/// Each key has a bucket of ``Rate/burst`` tokens refilled at ``Rate/perSecond``; a request takes
/// one token or is refused with the time until the next token. A bucket that has refilled to the
/// full burst is the same as no bucket, so when the table reaches `capacity` keys the full buckets
/// are dropped first, then the longest idle tenth: memory stays bounded whatever keys a client
/// invents, and the worst an evicted key gains is a fresh burst.
public final class TokenBucketLimiter<Key: Hashable & Sendable>: Sendable {
    /// A bucket's refill rate and size.
    public struct Rate: Sendable, Hashable {
        /// Tokens added per second.
        public let perSecond: Double
        /// The bucket's size: requests allowed at once after a quiet spell.
        public let burst: Int

        /// A rate of `perSecond` (above 0) with a bucket of `burst` (at least 1).
        public init(perSecond: Double, burst: Int) {
            self.perSecond = max(perSecond, 0.001)
            self.burst = max(burst, 1)
        }
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// The rate of every key.
    public let rate: Rate
    /// The most keys held at once.
    public let capacity: Int
    private let buckets = Mutex<[Key: Bucket]>([:])

    /// A limiter of `rate` per key, holding at most `capacity` keys.
    public init(rate: Rate, capacity: Int = 100_000) {
        self.rate = rate
        self.capacity = max(capacity, 16)
    }

    /// Takes a token of `key`'s bucket: `nil` when the request may go ahead, otherwise how long
    /// until the bucket has a token again.
    public func take(_ key: Key, now: ContinuousClock.Instant = .now) -> Duration? {
        let rate = self.rate
        let capacity = self.capacity
        return self.buckets.withLock { buckets -> Duration? in
            var bucket: Bucket
            if let existing = buckets[key] {
                bucket = existing
                let elapsed = Self.seconds(now - existing.updated)
                bucket.tokens = min(Double(rate.burst), existing.tokens + max(elapsed, 0) * rate.perSecond)
            } else {
                if buckets.count >= capacity { Self.prune(&buckets, rate: rate, capacity: capacity, now: now) }
                bucket = Bucket(tokens: Double(rate.burst), updated: now)
            }
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                return .milliseconds(Int64(((1 - bucket.tokens) / rate.perSecond * 1000).rounded(.up)))
            }
            bucket.tokens -= 1
            buckets[key] = bucket
            return nil
        }
    }

    /// Keys currently held (for tests and metrics).
    public var count: Int { self.buckets.withLock { $0.count } }

    private static func prune(_ buckets: inout [Key: Bucket], rate: Rate, capacity: Int, now: ContinuousClock.Instant) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + Self.seconds(now - bucket.updated) * rate.perSecond < Double(rate.burst)
        }
        guard buckets.count >= capacity * 9 / 10 else { return }
        let oldest = buckets.sorted { $0.value.updated < $1.value.updated }.prefix(max(capacity / 10, 1)).map(\.key)
        for key in oldest { buckets[key] = nil }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return Double(whole) + Double(fraction) / 1e18
    }
}
