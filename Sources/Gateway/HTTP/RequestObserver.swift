public import HTTPTypes

/// Told of every answer ``GatewayMiddleware`` gives, with the route path it matched (never the raw
/// path, which can hold tokens): the seam the request metrics count through.
///
/// Called on the request's task for every request: an implementation must be cheap (no I/O, no
/// allocation per call once warm) and never throw.
public protocol RequestObserver: Sendable {
    /// A request was answered with `status`.
    ///
    /// - Parameters:
    ///   - route: the matched route path (its index in `table.patterns`), `nil` when no route matched
    ///     (`404 route-not-found`).
    ///   - method: the request's method.
    ///   - status: the answer's status.
    func answered(route: RouteTable.Match?, method: HTTPRequest.Method, status: HTTPResponse.Status)

    /// A request was refused by the listener's limits before any route saw it (`413` for a body
    /// announced too large, `400` for an HTTP/2 head over the limits), or by the HTTP/1.1 parser
    /// (`400` for a malformed head or one over the limits: `method` is `nil`, as none was read).
    func refusedBeforeRouting(method: HTTPRequest.Method?, status: HTTPResponse.Status)

    /// A request was ended by the listener's limits without an answer (``UnansweredRequest``).
    func endedWithoutAnswer(_ reason: UnansweredRequest)
}
