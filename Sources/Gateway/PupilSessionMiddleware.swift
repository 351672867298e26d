public import Accounts
public import Hummingbird
import HTTPTypes

/// Resolves `Authorization: Bearer <token>` on the pupils' listener to a live pupil session
/// (``PupilAccounts/resolve(token:)``) and puts it in ``BiletRequestContext/pupil`` for the routes
/// behind it: the pupil's account, vault token, school and region, from which the routes build
/// the door caller. No header, a malformed one, or a token that does not resolve is answered
/// `401 session-required`, one answer for every cause.
public struct PupilSessionMiddleware: RouterMiddleware {
    public typealias Context = BiletRequestContext

    private let accounts: PupilAccounts

    /// A middleware resolving tokens with `accounts`.
    public init(accounts: PupilAccounts) {
        self.accounts = accounts
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let token = request.bearerToken else {
            return Problem.pupilSessionRequired.response
        }
        var context = context
        do throws(AccountsError) {
            context.pupil = try await accounts.resolve(token: token)
        } catch {
            return error.sessionProblem.response
        }
        return try await next(request, context)
    }
}

extension AccountsError {
    /// A refused session is `session-required` for pupils too; other codes as ``problem``.
    var sessionProblem: Problem {
        code == .sessionRefused ? .pupilSessionRequired : problem
    }
}
