public import Accounts
public import Hummingbird
import HTTPTypes

/// Resolves `Authorization: Bearer <token>` on the pupils' listener to a live pupil session
/// (``PupilAccounts/resolve(token:)``) and puts it in ``BiletRequestContext/pupil`` for the routes
/// behind it: the pupil's account, vault token, school and region, from which the routes build
/// the door caller. No header, a malformed one, or a token that does not resolve is answered
/// `401 session-required`, one answer for every cause.
///
/// The same session reaches the pupils' pages in the cookie ``pageSessionCookie``
/// (``Credential/pageCookie(refused:)``), as the staff's does: one credential per middleware, so
/// the API (``Credential/bearer``) never reads a cookie and the page mode never reads the header;
/// the page mode answers only on page paths and only on connections without a client certificate
/// (the pupils' listener), so neither a workstation nor a staff cookie ever reaches a pupil session.
public struct PupilSessionMiddleware: RouterMiddleware {
    public typealias Context = BiletRequestContext

    /// The name of the pupils' page session cookie (`__Host-`: `Secure`, `Path=/`, no `Domain`);
    /// another name than the staff's ``StaffSessionMiddleware/pageSessionCookie``.
    public static let pageSessionCookie = "__Host-bilet-pupil"

    /// Why a page request was refused before its route.
    public enum Refusal: Sendable, Hashable {
        /// No pupil session cookie at all.
        case sessionMissing
        /// A cookie that does not resolve (any cause), or a connection with a client certificate.
        case sessionRequired
        /// The account store failed: the API's problem for it.
        case unavailable(Problem)
    }

    /// Where the session token is read from.
    public enum Credential: Sendable {
        /// `Authorization: Bearer <token>` (the API); refusals are problem documents.
        case bearer
        /// The ``pageSessionCookie`` cookie, on page paths of the pupils' listener only; every
        /// refusal is answered by `refused`.
        case pageCookie(refused: @Sendable (Refusal) -> Response)
    }

    private let accounts: PupilAccounts
    private let credential: Credential

    /// A middleware resolving bearer tokens with `accounts`.
    public init(accounts: PupilAccounts) {
        self.init(accounts: accounts, credential: .bearer)
    }

    /// A middleware resolving the session named by `credential` with `accounts`.
    public init(accounts: PupilAccounts, credential: Credential) {
        self.accounts = accounts
        self.credential = credential
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let token: String?
        let refuse: @Sendable (Refusal) -> Response
        switch credential {
        case .bearer:
            token = request.bearerToken
            refuse = Self.problemResponse
        case .pageCookie(let refused):
            guard SecurityHeaders.isPagePath(request.uri.path) else { return Problem.pupilSessionRequired.response }
            token = request.cookies[Self.pageSessionCookie]?.value
            refuse = refused
            // A pupil's page is for the pupils' listener: with a client certificate (a workstation)
            // no pupil cookie is looked up at all.
            guard let connection = context.connection, connection.peer.principal == nil, connection.peer.clientCertificate == nil else {
                return refuse(.sessionRequired)
            }
        }
        guard let token, !token.isEmpty else { return refuse(.sessionMissing) }
        var context = context
        do throws(AccountsError) {
            context.pupil = try await accounts.resolve(token: token)
        } catch where error.code == .sessionRefused {
            return refuse(.sessionRequired)
        } catch {
            return refuse(.unavailable(error.sessionProblem))
        }
        return try await next(request, context)
    }

    /// The API's answers to each refusal.
    static func problemResponse(_ refusal: Refusal) -> Response {
        switch refusal {
        case .sessionMissing, .sessionRequired: Problem.pupilSessionRequired.response
        case .unavailable(let problem): problem.response
        }
    }
}

extension AccountsError {
    /// A refused session is `session-required` for pupils too; other codes as ``problem``.
    var sessionProblem: Problem {
        code == .sessionRefused ? .pupilSessionRequired : problem
    }
}
