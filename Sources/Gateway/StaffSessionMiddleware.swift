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
/// audit, certificates) puts its routes behind it.
public struct StaffSessionMiddleware: RouterMiddleware {
    public typealias Context = BiletRequestContext

    /// The requests a session without the staff consent may make: method and exact path.
    public static let consentExemptions: Set<String> = [
        "GET /v1/staff/me", "POST /v1/staff/me/consent", "DELETE /v1/sessions/current",
    ]

    private let sessions: StaffSessions

    /// A middleware resolving tokens in `sessions`.
    public init(sessions: StaffSessions) {
        self.sessions = sessions
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let token = request.bearerToken else {
            return Problem.staffSessionRequired.response
        }
        // A session is bound to a workstation certificate: on a connection without one (the
        // pupils' listener) no token can be valid, so it is refused before any lookup or audit
        // write, and an anonymous client cannot make the log grow.
        guard let certificate = context.connection.flatMap({ PresentedCertificate($0.peer) }) else {
            return Problem.staffSessionRequired.response
        }
        var context = context
        let staff: StaffSession
        do throws(AccountsError) {
            staff = try await sessions.resolve(token: token, certificate: certificate)
        } catch {
            return error.problem.response
        }
        guard staff.consentRecorded || Self.consentExemptions.contains("\(request.method.rawValue) \(request.uri.path)") else {
            return Problem(
                .forbidden, code: "staff-consent-required",
                title: "Record your consent to the processing of your personal data first (POST /v1/staff/me/consent).").response
        }
        context.staff = staff
        return try await next(request, context)
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
        case .auditUnavailable:
            Problem(.serviceUnavailable, code: "audit-unavailable", title: "The audit log cannot record this now; try again later.")
        case .storage: Problem(.serviceUnavailable, code: "unavailable", title: "The service is unavailable; try again later.")
        case .busy:
            Problem(
                .serviceUnavailable, code: "login-busy", title: "Too many sign-ins are being checked; try again shortly.",
                headers: [.retryAfter: "1"])
        case .schemaMismatch, .forbidden: Problem(.forbidden, code: "forbidden", title: "The policy does not permit this request.")
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

