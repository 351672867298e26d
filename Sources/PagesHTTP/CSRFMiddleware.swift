import Assessment
import Gateway
import HTTPTypes
import Hummingbird
import Logging
import Pages

/// Checks the CSRF token of every unsafe request (`POST`, `PUT`, `PATCH`, `DELETE`) before its
/// route: the body must be a form (`application/x-www-form-urlencoded` of at most
/// ``maximumBodyBytes``, or, on the routes that take a file (``takesFiles(_:)``),
/// `multipart/form-data` of at most ``maximumUploadBytes``) whose ``CSRFTokens/fieldName`` is the token of the request's binding (the session, or
/// before sign-in the certificate and the pre-session cookie), compared in constant time. A request
/// whose browser says it comes from another site or a sandboxed document (`Sec-Fetch-Site` present
/// and not `same-origin`) is refused whatever it carries. Anything else is the refusal page (`403`)
/// and the route never runs. Safe requests pass untouched.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = BiletRequestContext

    /// The largest form read.
    static let maximumBodyBytes = 64 * 1024
    /// The largest file form read: a consent scan of up to 8 MiB (what `PUT …/scan` takes) or an
    /// import file (10,000 rows are about 2 MB), with the form around it.
    static let maximumUploadBytes = 8 * 1024 * 1024 + 64 * 1024

    let tokens: CSRFTokens
    /// What the request's token must be bound to; `nil` refuses.
    let binding: @Sendable (Request, BiletRequestContext) -> String?
    /// The refusal page.
    let refused: @Sendable (BiletRequestContext) -> Response

    /// A check binding tokens to what the context holds (a session, a certificate).
    init(tokens: CSRFTokens, binding: @escaping @Sendable (BiletRequestContext) -> String?, refused: @escaping @Sendable (BiletRequestContext) -> Response) {
        self.init(tokens: tokens, requestBinding: { binding($1) }, refused: refused)
    }

    /// A check binding tokens to what the request carries (a pupil's pre-session cookie).
    init(
        tokens: CSRFTokens, requestBinding: @escaping @Sendable (Request, BiletRequestContext) -> String?,
        refused: @escaping @Sendable (BiletRequestContext) -> Response
    ) {
        self.tokens = tokens
        self.binding = requestBinding
        self.refused = refused
    }

    static let unsafe: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    /// `Sec-Fetch-Site` (Fetch Metadata), which every current browser sends and no page can set.
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.unsafe.contains(request.method) else { return try await next(request, context) }
        if let site = request.headers[Self.fetchSite], site != "same-origin" {
            context.logger.notice("page form refused", metadata: ["reason": "csrf-fetch-site"])
            return refused(context)
        }
        let contentType = request.headers[.contentType] ?? ""
        let declared = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        // a file form only where a route takes a file: elsewhere 64 KiB of urlencoded form at most
        let boundary = Self.takesFiles(request.uri.path) ? MultipartForm.boundary(contentType: contentType) : nil
        guard declared == "application/x-www-form-urlencoded" || boundary != nil, let binding = binding(request, context) else {
            context.logger.notice("page form refused", metadata: ["reason": "csrf-binding-or-type"])
            return refused(context)
        }
        let buffer = try await request.body.collect(upTo: boundary == nil ? Self.maximumBodyBytes : Self.uploadLimit(request.uri.path))
        let token: String? =
            if let boundary {
                MultipartForm(body: Array(buffer.readableBytesView), boundary: boundary)?[CSRFTokens.fieldName]
            } else {
                FormValues(body: String(buffer: buffer))[CSRFTokens.fieldName]
            }
        guard tokens.isValid(token, for: binding) else {
            context.logger.notice("page form refused", metadata: ["reason": "csrf-token"])
            return refused(context)
        }
        var request = request
        request.body = .init(buffer: buffer)
        return try await next(request, context)
    }

    /// Whether the route at `path` takes a file form (`multipart/form-data`): the import and a
    /// consent's scan, a test definition. Every other unsafe page request must be a small urlencoded form.
    static func takesFiles(_ path: String) -> Bool {
        path == "/app/pupils/import" || path == "/app/tests" || (path.hasPrefix("/app/pupils/") && path.hasSuffix("/scan"))
    }

    /// The largest file form read at `path`: a test definition's form holds at most what the
    /// validator takes (``DefinitionValidator/maximumBytes``, as the API's body limit) with the form
    /// around it; the import and a scan ``maximumUploadBytes``.
    static func uploadLimit(_ path: String) -> Int {
        path == "/app/tests" ? DefinitionValidator.maximumBytes + 64 * 1024 : maximumUploadBytes
    }

    /// The fields of a form the middleware let through (the body is already in memory).
    static func form(_ request: Request) async throws -> FormValues {
        FormValues(body: String(buffer: try await request.body.collect(upTo: maximumBodyBytes)))
    }

    /// The parts of a file form the middleware let through; `nil` when it is not one.
    static func multipart(_ request: Request) async throws -> MultipartForm? {
        guard let boundary = MultipartForm.boundary(contentType: request.headers[.contentType] ?? "") else { return nil }
        return MultipartForm(body: Array(try await request.body.collect(upTo: uploadLimit(request.uri.path)).readableBytesView), boundary: boundary)
    }
}
