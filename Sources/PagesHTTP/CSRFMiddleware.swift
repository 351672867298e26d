import Gateway
import HTTPTypes
import Hummingbird
import Logging
import Pages

/// Checks the CSRF token of every unsafe request (`POST`, `PUT`, `PATCH`, `DELETE`) before its
/// route: the body must be a form (`application/x-www-form-urlencoded`, at most
/// ``maximumBodyBytes``) whose ``CSRFTokens/fieldName`` is the token of the request's binding
/// (the session, or before sign-in the certificate), compared in constant time. Anything else is
/// the refusal page (`403`) and the route never runs. Safe requests pass untouched.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = BiletRequestContext

    /// The largest form read.
    static let maximumBodyBytes = 64 * 1024

    let tokens: CSRFTokens
    /// What the request's token must be bound to; `nil` refuses.
    let binding: @Sendable (BiletRequestContext) -> String?
    /// The refusal page.
    let refused: @Sendable (BiletRequestContext) -> Response

    static let unsafe: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.unsafe.contains(request.method) else { return try await next(request, context) }
        let declared = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard declared == "application/x-www-form-urlencoded", let binding = binding(context) else {
            context.logger.notice("page form refused", metadata: ["reason": "csrf-binding-or-type"])
            return refused(context)
        }
        let buffer = try await request.body.collect(upTo: Self.maximumBodyBytes)
        let values = FormValues(body: String(buffer: buffer))
        guard tokens.isValid(values[CSRFTokens.fieldName], for: binding) else {
            context.logger.notice("page form refused", metadata: ["reason": "csrf-token"])
            return refused(context)
        }
        var request = request
        request.body = .init(buffer: buffer)
        return try await next(request, context)
    }

    /// The fields of a form the middleware let through (the body is already in memory).
    static func form(_ request: Request) async throws -> FormValues {
        FormValues(body: String(buffer: try await request.body.collect(upTo: maximumBodyBytes)))
    }
}
