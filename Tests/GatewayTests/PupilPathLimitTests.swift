import Foundation
import Gateway
import Synchronization
import Testing

/// The pupils' listener's rate limits (token buckets in bounded memory) and the per-session cache
/// of a pupil's module token (attack review #4), on their own; end to end through `bilet serve` in
/// `ServePupilPathTests`.
@Suite("Pupil path: rate limits and the session cache")
struct PupilPathLimitTests {
    @Test("a bucket lets a burst through, refuses the next with the wait for a token, and refills at its rate")
    func tokenBucket() {
        let limiter = TokenBucketLimiter<String>(rate: .init(perSecond: 10, burst: 30))
        let start = ContinuousClock.now
        for index in 0..<30 { #expect(limiter.take("a", now: start) == nil, "\(index)") }
        #expect(limiter.take("a", now: start) == .milliseconds(100))
        // Another key is unaffected.
        #expect(limiter.take("b", now: start) == nil)
        // A tenth of a second later one token is back, and only one.
        #expect(limiter.take("a", now: start + .milliseconds(100)) == nil)
        #expect(limiter.take("a", now: start + .milliseconds(100)) != nil)
        // After a quiet spell the bucket is full again, never fuller.
        let later = start + .seconds(60)
        for _ in 0..<30 { #expect(limiter.take("a", now: later) == nil) }
        #expect(limiter.take("a", now: later) != nil)
    }

    @Test("memory is bounded: full buckets are dropped first, then the longest idle tenth")
    func bounded() {
        let limiter = TokenBucketLimiter<Int>(rate: .init(perSecond: 1, burst: 2), capacity: 100)
        let start = ContinuousClock.now
        for key in 0..<100 { _ = limiter.take(key, now: start) }
        #expect(limiter.count == 100)
        // All refilled a minute later: the next new key drops them all.
        _ = limiter.take(1000, now: start + .seconds(60))
        #expect(limiter.count == 1)
        // Keys flooding at once (none full): the oldest tenth goes, never more than capacity.
        for key in 0..<500 { _ = limiter.take(key, now: start + .seconds(60) + .milliseconds(key)); _ = limiter.take(key, now: start + .seconds(60) + .milliseconds(key)) }
        #expect(limiter.count <= 100)
        #expect(limiter.take(499, now: start + .seconds(60) + .milliseconds(499)) != nil)
    }

    @Test("429 rate-limited carries Retry-After in whole seconds, at least 1")
    func refusal() {
        let problem = PupilRateLimits.refusal(after: .milliseconds(100))
        #expect(problem.status.code == 429 && problem.code == "rate-limited")
        #expect(problem.headers[.retryAfter] == "1")
        #expect(PupilRateLimits.refusal(after: .milliseconds(2500)).headers[.retryAfter] == "3")
    }

    /// A clock the tests move.
    final class Clock: Sendable {
        private let current = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
        var now: Date { current.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
    }

    /// Counts fills and answers a value per fill.
    final class Filler: Sendable {
        let calls = Atomic<Int>(0)
        func fill() async throws -> String {
            let call = calls.wrappingAdd(1, ordering: .relaxed).newValue
            try await Task.sleep(for: .milliseconds(20))
            return "asm_\(call)"
        }
    }

    @Test("one fill per session until the TTL, the session's end or logout; concurrent requests share a fill")
    func sessionCache() async throws {
        let clock = Clock()
        let cache = PupilSessionCache<String>(ttl: .seconds(60), jitter: 0, now: { clock.now })
        let filler = Filler()
        let expires = clock.now.addingTimeInterval(3600)
        // Ten concurrent first requests: one fill.
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<10 { group.addTask { try await cache.value(session: "ses_a", expiresAt: expires) { try await filler.fill() } } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(values) == ["asm_1"])
        for _ in 0..<20 { #expect(try await cache.value(session: "ses_a", expiresAt: expires) { try await filler.fill() } == "asm_1") }
        #expect(filler.calls.load(ordering: .relaxed) == 1)
        #expect(await cache.fills == 1)
        // Another session has its own fill.
        #expect(try await cache.value(session: "ses_b", expiresAt: expires) { try await filler.fill() } == "asm_2")
        // After the TTL the value is asked for again.
        clock.advance(59)
        #expect(try await cache.value(session: "ses_a", expiresAt: expires) { try await filler.fill() } == "asm_1")
        clock.advance(1)
        #expect(try await cache.value(session: "ses_a", expiresAt: expires) { try await filler.fill() } == "asm_3")
        // Logout forgets it.
        await cache.remove(session: "ses_a")
        #expect(try await cache.value(session: "ses_a", expiresAt: expires) { try await filler.fill() } == "asm_4")
        // A session ending before the TTL ends its entry with it.
        let soon = clock.now.addingTimeInterval(5)
        #expect(try await cache.value(session: "ses_c", expiresAt: soon) { try await filler.fill() } == "asm_5")
        clock.advance(5)
        #expect(try await cache.value(session: "ses_c", expiresAt: soon) { try await filler.fill() } == "asm_6")
    }

    struct Refused: Error {}

    @Test("with jitter an entry ends between (1 - jitter) and 1 of the TTL, never later")
    func jitter() async throws {
        let clock = Clock()
        let cache = PupilSessionCache<String>(ttl: .seconds(100), jitter: 0.2, now: { clock.now })
        let filler = Filler()
        let expires = clock.now.addingTimeInterval(3600)
        for index in 0..<50 { _ = try await cache.value(session: "ses_\(index)", expiresAt: expires) { try await filler.fill() } }
        clock.advance(79)
        for index in 0..<50 { _ = try await cache.value(session: "ses_\(index)", expiresAt: expires) { try await filler.fill() } }
        #expect(filler.calls.load(ordering: .relaxed) == 50)
        clock.advance(21)
        for index in 0..<50 { _ = try await cache.value(session: "ses_\(index)", expiresAt: expires) { try await filler.fill() } }
        #expect(filler.calls.load(ordering: .relaxed) == 100)
    }

    @Test("a failed fill is not kept: the next request asks again")
    func failureNotKept() async throws {
        let cache = PupilSessionCache<String>()
        let expires = Date().addingTimeInterval(3600)
        await #expect(throws: Refused.self) { try await cache.value(session: "ses_a", expiresAt: expires) { throw Refused() } }
        #expect(await cache.count == 0)
        #expect(try await cache.value(session: "ses_a", expiresAt: expires) { "asm_ok" } == "asm_ok")
    }

    @Test("the cache holds at most its capacity of sessions")
    func cacheBounded() async throws {
        let cache = PupilSessionCache<Int>(capacity: 50)
        let expires = Date().addingTimeInterval(3600)
        for index in 0..<500 { _ = try await cache.value(session: "ses_\(index)", expiresAt: expires) { index } }
        #expect(await cache.count <= 50)
        #expect(try await cache.value(session: "ses_499", expiresAt: expires) { -1 } == 499)
    }
}
