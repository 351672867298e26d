public import Hummingbird
import HTTPTypes

/// The rate limits of the pupils' listener (attack review #4): a token bucket per client address
/// and one per pupil session (keyed by the bearer token's in-process hash, never the token), each
/// optional (`nil`: off).
///
/// Defaults a real pupil never reaches: 10 requests a second with a burst of 30 per session (a
/// pupil answers a question every few seconds), and 1,000 a second with a burst of 2,000 per
/// address (a school's NAT, or a balancer without the PROXY protocol, puts many pupils behind one
/// address).
public struct PupilRateLimits: Sendable {
    /// The default per-session rate.
    public static let defaultSession = TokenBucketLimiter<Int>.Rate(perSecond: 10, burst: 30)
    /// The default per-address rate.
    public static let defaultAddress = TokenBucketLimiter<String>.Rate(perSecond: 1000, burst: 2000)

    /// Buckets per bearer token (pupil session); `nil`: no per-session limit.
    public let session: TokenBucketLimiter<Int>?
    /// Buckets per client address; `nil`: no per-address limit.
    public let address: TokenBucketLimiter<String>?

    /// Limits of `session` and `address` rates (`nil`: off), each holding at most `capacity` keys.
    public init(
        session: TokenBucketLimiter<Int>.Rate? = Self.defaultSession, address: TokenBucketLimiter<String>.Rate? = Self.defaultAddress,
        capacity: Int = 100_000
    ) {
        self.session = session.map { TokenBucketLimiter(rate: $0, capacity: capacity) }
        self.address = address.map { TokenBucketLimiter(rate: $0, capacity: capacity) }
    }

    /// The `429 rate-limited` answer, with `Retry-After` in whole seconds (at least 1).
    public static func refusal(after wait: Duration) -> Problem {
        let seconds = max(1, Int((TokenBucketLimiter<Int>.seconds(wait)).rounded(.up)))
        return Problem(
            .tooManyRequests, code: "rate-limited", title: "Too many requests; try again later.", headers: [.retryAfter: "\(seconds)"])
    }
}

/// Applies ``PupilRateLimits`` to every request on a connection without a client certificate (the
/// pupils' listener): the address's bucket first, then the bearer token's, before the session is
/// looked up, so a flood costs neither a database query nor a door call. Staff connections (with a
/// verified certificate) pass untouched.
public struct PupilRateLimitMiddleware: RouterMiddleware {
    public typealias Context = BiletRequestContext

    private let limits: PupilRateLimits

    /// A middleware enforcing `limits`.
    public init(limits: PupilRateLimits) {
        self.limits = limits
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let connection = context.connection, connection.peer.principal == nil, connection.peer.clientCertificate == nil {
            let now = ContinuousClock.now
            if let limiter = limits.address, let address = context.clientAddress, let wait = limiter.take(address, now: now) {
                return PupilRateLimits.refusal(after: wait).response
            }
            if let limiter = limits.session, let token = request.bearerToken, let wait = limiter.take(token.hashValue, now: now) {
                return PupilRateLimits.refusal(after: wait).response
            }
        }
        return try await next(request, context)
    }
}
