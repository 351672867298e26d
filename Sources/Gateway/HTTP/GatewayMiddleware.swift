public import Hummingbird
import HTTPTypes
import Logging

/// What every request and every answer of the gateway goes through, outermost, before any route
/// and around the router's own not-found answer:
///
/// 1. a state-changing request (`POST`, `PUT`, `PATCH`, `DELETE`) whose body is a form or plain
///    text (`application/x-www-form-urlencoded`, `multipart/form-data`, `text/plain`), or which
///    announces a body without declaring its type, is refused `415 unsupported-media-type` before
///    any route logic: those are the bodies a page on another site can make a workstation's
///    browser send, with its client certificate, without a CORS preflight (CSRF). No API route
///    accepts one; routes that take another type than JSON check it themselves (`text/csv`,
///    `application/pdf`, `application/pkcs10`). The one exception is the pages' own forms under
///    ``SecurityHeaders/pagePathPrefix``, where every unsafe request must carry the page's CSRF
///    token (PagesHTTP checks it before any route logic);
/// 2. a path no route serves is `404 route-not-found`; a served path asked with another method is
///    `405 method-not-allowed` with `Allow`;
/// 3. an error a route throws renders its own answer (``HTTPProblemConvertible``); any other
///    error is `500 internal-error`, and only its type is logged;
/// 4. every answer gets ``SecurityHeaders``: not here but below the router, in each listener's
///    `ResponseHeadersHandler`, which every answer passes on both HTTP versions (this
///    middleware's, the framework's own and the listener's limits' alike), so they are added once.
///
/// ``Gateway`` applies it around the whole router; it is not added to routers.
public struct GatewayMiddleware: RouterMiddleware {
    public typealias Context = BiletRequestContext

    /// The routes served.
    public let routes: RouteTable
    /// Told of every answer (the request metrics), if any.
    public let observer: (any RequestObserver)?

    /// The middleware for a router serving `routes`; `observer` is told of every answer.
    public init(routes: RouteTable, observer: (any RequestObserver)? = nil) {
        self.routes = routes
        self.observer = observer
    }

    /// Media types no state-changing request may carry (what a cross-site form or `fetch` without
    /// preflight can send).
    public static let refusedMediaTypes: Set<String> = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]

    static let stateChanging: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let route = self.routes.match(path: Substring(request.uri.path))
        var response = await self.answer(request, route: route, context: context, next: next)
        // Only a page may keep the page's weaker policy (``SecurityHeaders/apply(to:)`` keeps it
        // wherever it finds it); elsewhere the fixed `default-src 'none'` replaces it.
        if response.headers[.contentSecurityPolicy] != nil, !SecurityHeaders.isPagePath(request.uri.path) {
            response.headers[.contentSecurityPolicy] = nil
        }
        self.observer?.answered(route: route, method: request.method, status: response.status)
        return response
    }

    private func answer(
        _ request: Request, route: RouteTable.Match?, context: Context, next: (Request, Context) async throws -> Response
    ) async -> Response {
        if let refusal = Self.refusal(request) { return refusal.response }
        guard let methods = route?.methods else {
            return Problem.routeNotFound.response
        }
        guard methods.contains(request.method) else {
            var problem = Problem.methodNotAllowed
            problem.headers[.allow] = methods.map(\.rawValue).sorted().joined(separator: ", ")
            return problem.response
        }
        do {
            return try await next(request, context)
        } catch let error as any HTTPProblemConvertible {
            return error.problem.response
        } catch let error as any HTTPResponseError {
            return Problem(status: error.status).response
        } catch {
            context.logger.error("route failed", metadata: ["error.type": "\(type(of: error))"])
            return Problem.internalError.response
        }
    }

    /// The `415` answer to a state-changing request with a body a browser can send across sites.
    static func refusal(_ request: Request) -> Problem? {
        guard stateChanging.contains(request.method), !SecurityHeaders.isPagePath(request.uri.path) else { return nil }
        let declared = request.headers[.contentType]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        if let declared {
            guard refusedMediaTypes.contains(declared) else { return nil }
        } else {
            let length = request.headers[.contentLength].flatMap { Int($0) } ?? 0
            guard length > 0 || request.headers[.transferEncoding] != nil else { return nil }
        }
        return Problem(.unsupportedMediaType, code: "unsupported-media-type", title: "This body type is not accepted here.")
    }
}
