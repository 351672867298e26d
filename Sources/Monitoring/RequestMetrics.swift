import Prometheus
public import Gateway
public import HTTPTypes
import Synchronization

/// Requests by route path and status: `bilet_http_requests_total{route, method, status}`, where
/// `route` is the route's path pattern as the router has it (`/v1/pupils/{token}`, never the path
/// asked for, which can hold tokens), `unmatched` for a path no route serves, or `before-routing`
/// for a request the listener's limits or the HTTP/1.1 parser refused before any route saw it
/// (`413`, `400`; `method="unknown"` when the parser read none). Requests the limits ended without
/// an answer: `bilet_http_unanswered_requests_total{reason}` (``UnansweredRequest``), each reason's
/// series made at start so that it reads 0 until the first.
///
/// The hot path: ``GatewayMiddleware`` already matched the route, so its index picks a per-route
/// cache directly (an array, no string hashing); the cache maps method and status (one integer) to
/// a counter made the first time that combination is answered. A warm request takes one uncontended
/// lock and one atomic add, and allocates nothing.
public final class RequestMetrics: RequestObserver, Sendable {
    /// The counters of one route path, by ``key(_:_:)``.
    final class RouteCounters: Sendable {
        let route: String
        let counters = Mutex<[Int: Counter]>([:])

        init(route: String) { self.route = route }
    }

    private let routes: [RouteCounters]
    private let unmatched = RouteCounters(route: "unmatched")
    private let beforeRouting = RouteCounters(route: "before-routing")
    private let registry: PrometheusCollectorRegistry
    private let unanswered: [UnansweredRequest: Counter]

    /// The methods given a label of their own; any other is `other` (a client may send any token).
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]

    init(routes: RouteTable, registry: PrometheusCollectorRegistry) {
        self.routes = routes.patterns.map { RouteCounters(route: $0) }
        self.registry = registry
        self.unanswered = Dictionary(
            uniqueKeysWithValues: UnansweredRequest.allCases.map { ($0, registry.counter(.httpUnansweredRequests, [("reason", $0.label)])) })
    }

    public func answered(route: RouteTable.Match?, method: HTTPRequest.Method, status: HTTPResponse.Status) {
        count(route.map { self.routes[$0.pattern] } ?? self.unmatched, method: method, status: status)
    }

    public func refusedBeforeRouting(method: HTTPRequest.Method?, status: HTTPResponse.Status) {
        count(self.beforeRouting, method: method, status: status)
    }

    public func endedWithoutAnswer(_ reason: UnansweredRequest) {
        self.unanswered[reason]?.increment()
    }

    /// Counts under `counters`; a `nil` method (none was read) is `unknown`, one without a label of
    /// its own `other`.
    private func count(_ counters: RouteCounters, method: HTTPRequest.Method?, status: HTTPResponse.Status) {
        let methodIndex = method.map { Self.methods.firstIndex(of: $0) ?? Self.methods.count } ?? (Self.methods.count + 1)
        let key = status.code &* 16 &+ methodIndex
        let counter = counters.counters.withLock { cache in
            if let counter = cache[key] { return counter }
            let label =
                methodIndex < Self.methods.count ? Self.methods[methodIndex].rawValue
                : methodIndex == Self.methods.count ? "other" : "unknown"
            let counter = self.registry.counter(
                .httpRequests, [("route", counters.route), ("method", label), ("status", String(status.code))])
            cache[key] = counter
            return counter
        }
        counter.increment()
    }
}
