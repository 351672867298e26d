import Accounts
import Gateway
import Hummingbird
import Pages

extension PageKit {
    /// The answer to a staff member whose role a page is not for (the service would refuse the
    /// action anyway): `403` with a page naming whose page it is.
    func notForRole(_ staff: StaffSession, _ whose: String) -> Response {
        errorPage(.forbidden, "Эта страница для \(whose).", staff: staff)
    }

    /// The page of a refusal thrown by a service (a ``Problem`` or any error that renders one);
    /// anything else is rethrown (the gateway answers it as the API does).
    func refusal(_ error: any Error, staff: StaffSession, back: String = "/app/home") throws -> Response {
        guard let problem = Self.problem(of: error) else { throw error }
        return errorPage(problem, staff: staff, back: back)
    }

    /// The problem document `error` renders as (a ``Problem``, or an error that converts to one),
    /// or nil for any other error, which a page rethrows.
    static func problem(of error: any Error) -> Problem? {
        if let problem = error as? Problem { return problem }
        return (error as? any HTTPProblemConvertible)?.problem
    }
}
