public import Accounts
public import Hummingbird
import HTTPTypes

/// Resolves `Authorization: Bearer <token>` to a live staff session bound to the connection's
/// certificate and puts it in ``BiletRequestContext/staff`` for the routes behind it.
///
/// No header, a malformed header, or a token that does not resolve (unknown, ended, expired, idle,
/// disabled account, another workstation's certificate) is answered `401` with code
/// `session-required`, one answer for every cause; the audit log records which
/// (``StaffSessions/resolve(token:certificate:)``). A session store or audit failure is `503`.
///
/// It is also the one place the staff consent is enforced: until the session's holder has
/// recorded their consent to the processing of their own personal data
/// (``StaffSession/consentRecorded``), every route behind it answers `403 staff-consent-required`,
/// except ``consentExemptions`` (reading their own account, recording the consent, signing out).
/// The middleware stays in Gateway because every route target (vault, accounts, organisations,
/// audit, certificates, pages) puts its routes behind it.
///
/// The same session reaches the server-rendered pages in the cookie ``pageSessionCookie``
/// (``Credential/pageCookie(consentExemptions:refused:)``): the same sign-in, the same binding to
/// the certificate, the same timeouts. A middleware reads one credential only: the API's
/// (``Credential/bearer``) never looks at cookies, so a browser's ambient cookie never
/// authenticates an API request (the API needs no CSRF defence), and the cookie middleware
/// refuses any path outside ``SecurityHeaders/pagePathPrefix``.
public struct StaffSessionMiddleware: RouterMiddleware {
    public typealias Context = BiletRequestContext

    /// The requests a session without the staff consent may make: method and exact path.
    public static let consentExemptions: Set<String> = [
        "GET /v1/staff/me", "POST /v1/staff/me/consent", "DELETE /v1/sessions/current",
    ]

    /// The name of the page session cookie: `__Host-` so a browser keeps it only when it is
    /// `Secure`, has `Path=/` and no `Domain` (no subdomain can set or shadow it).
    public static let pageSessionCookie = "__Host-bilet-session"

    /// Why a page request was refused before its route, for the pages to answer in their own way.
    public enum Refusal: Sendable, Hashable {
        /// No session credential was presented at all.
        case sessionMissing
        /// A session credential that does not resolve (any cause; the audit log says which).
        case sessionRequired
        /// The session is live but its holder has not recorded the staff consent.
        case consentRequired
        /// The session store or the audit log failed: the API's problem for it.
        case unavailable(Problem)
    }

    /// Where the session token is read from.
    public enum Credential: Sendable {
        /// `Authorization: Bearer <token>` (the API); refusals are problem documents.
        case bearer
        /// The ``pageSessionCookie`` cookie, on page paths only; without the consent only the
        /// requests in `consentExemptions` (method and exact path) pass; every refusal is answered
        /// by `refused`.
        case pageCookie(consentExemptions: Set<String>, refused: @Sendable (Refusal) -> Response)
    }

    private let sessions: StaffSessions
    private let credential: Credential

    /// A middleware resolving bearer tokens in `sessions`.
    public init(sessions: StaffSessions) {
        self.init(sessions: sessions, credential: .bearer)
    }

    /// A middleware resolving the session named by `credential` in `sessions`.
    public init(sessions: StaffSessions, credential: Credential) {
        self.sessions = sessions
        self.credential = credential
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let token: String?
        let exemptions: Set<String>
        let refuse: @Sendable (Refusal) -> Response
        switch credential {
        case .bearer:
            token = request.bearerToken
            exemptions = Self.consentExemptions
            refuse = Self.problemResponse
        case .pageCookie(let pageExemptions, let refused):
            guard SecurityHeaders.isPagePath(request.uri.path) else { return Problem.staffSessionRequired.response }
            token = request.cookies[Self.pageSessionCookie]?.value
            exemptions = pageExemptions
            refuse = refused
        }
        guard let token, !token.isEmpty else { return refuse(.sessionMissing) }
        // A session is bound to a workstation certificate: on a connection without one (the
        // pupils' listener) no token can be valid, so it is refused before any lookup or audit
        // write, and an anonymous client cannot make the log grow.
        guard let certificate = context.connection.flatMap({ PresentedCertificate($0.peer) }) else {
            return refuse(.sessionRequired)
        }
        var context = context
        let staff: StaffSession
        do throws(AccountsError) {
            staff = try await sessions.resolve(token: token, certificate: certificate)
        } catch where error.code == .sessionRefused {
            return refuse(.sessionRequired)
        } catch {
            return refuse(.unavailable(error.problem))
        }
        guard staff.consentRecorded || exemptions.contains("\(request.method.rawValue) \(request.uri.path)") else {
            return refuse(.consentRequired)
        }
        context.staff = staff
        return try await next(request, context)
    }

    /// The API's answers to each refusal.
    static func problemResponse(_ refusal: Refusal) -> Response {
        switch refusal {
        case .sessionMissing, .sessionRequired: Problem.staffSessionRequired.response
        case .consentRequired:
            Problem(
                .forbidden, code: "staff-consent-required",
                title: "Record your consent to the processing of your personal data first (POST /v1/staff/me/consent).").response
        case .unavailable(let problem): problem.response
        }
    }
}

extension Request {
    /// The token of an `Authorization: Bearer <token>` header; `nil` without one (what both
    /// session middlewares read).
    var bearerToken: String? {
        guard let header = headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst("Bearer ".count))
    }
}

extension AccountsError: HTTPProblemConvertible {
    /// The answer for each code: one answer for every refused login (`401 login-failed`), every
    /// refused session (`401 session-required`) and every refused activation (`401
    /// activation-failed`), whatever the cause.
    public var problem: Problem {
        switch code {
        case .loginFailed: Problem(.unauthorized, code: "login-failed", title: "The login was refused.")
        case .sessionRefused: .staffSessionRequired
        case .activationFailed: Problem(.unauthorized, code: "activation-failed", title: "The activation was refused.")
        case .auditUnavailable: Problem.auditUnavailable
        case .storage: Problem.unavailable
        case .busy:
            Problem(
                .serviceUnavailable, code: "login-busy", title: "Too many sign-ins are being checked; try again shortly.",
                headers: [.retryAfter: "1"])
        case .schemaMismatch, .forbidden: Problem.forbidden
        case .invalidArgument: Problem(.badRequest, code: "invalid-account", title: "A field of the account is missing or malformed.")
        case .unknownRole, .roleMismatch:
            Problem(.unprocessableContent, code: "invalid-role", title: "The role does not fit the organisation or region.")
        case .loginTaken: Problem(.conflict, code: "login-taken", title: "Another account has this login.")
        case .notFound: Problem(.notFound, code: "account-not-found", title: "No such account.")
        case .alreadyActivated: Problem(.conflict, code: "account-active", title: "The account is already active.")
        case .consentVersionMismatch:
            Problem(.unprocessableContent, code: "consent-version-mismatch", title: "The consent is not the version in force.")
        case .crypto: .internalError
        }
    }
}

