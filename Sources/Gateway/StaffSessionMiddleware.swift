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
public struct StaffSessionMiddleware: RouterMiddleware {
    public typealias Context = BiletRequestContext

    private let sessions: StaffSessions

    /// A middleware resolving tokens in `sessions`.
    public init(sessions: StaffSessions) {
        self.sessions = sessions
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            return GatewayRoutes.problem(.unauthorized, code: "session-required", title: "A staff session is required.")
        }
        // A session is bound to a workstation certificate: on a connection without one (the
        // pupils' listener) no token can be valid, so it is refused before any lookup or audit
        // write, and an anonymous client cannot make the log grow.
        guard let certificate = context.connection.flatMap({ PresentedCertificate($0.peer) }) else {
            return GatewayRoutes.problem(.unauthorized, code: "session-required", title: "A staff session is required.")
        }
        let token = String(header.dropFirst("Bearer ".count))
        var context = context
        do throws(AccountsError) {
            context.staff = try await sessions.resolve(token: token, certificate: certificate)
        } catch {
            return StaffProblems.response(for: error)
        }
        return try await next(request, context)
    }
}

/// The problem documents of the staff routes, by accounts error.
enum StaffProblems {
    static func response(for error: AccountsError) -> Response {
        switch error.code {
        case .loginFailed:
            GatewayRoutes.problem(.unauthorized, code: "login-failed", title: "The login was refused.")
        case .sessionRefused:
            GatewayRoutes.problem(.unauthorized, code: "session-required", title: "A staff session is required.")
        case .auditUnavailable:
            GatewayRoutes.problem(.serviceUnavailable, code: "audit-unavailable", title: "The audit log cannot record this now; try again later.")
        case .storage:
            GatewayRoutes.problem(.serviceUnavailable, code: "unavailable", title: "The service is unavailable; try again later.")
        case .busy:
            {
                var response = GatewayRoutes.problem(
                    .serviceUnavailable, code: "login-busy", title: "Too many sign-ins are being checked; try again shortly.")
                response.headers[.retryAfter] = "1"
                return response
            }()
        case .schemaMismatch:
            GatewayRoutes.problem(.forbidden, code: "forbidden", title: "The policy does not permit this request.")
        default:
            GatewayRoutes.problem(.internalServerError, code: "internal-error", title: "The request could not be handled.")
        }
    }
}
