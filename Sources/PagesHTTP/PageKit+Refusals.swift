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
        if let problem = error as? Problem { return errorPage(problem, staff: staff, back: back) }
        guard let error = error as? any HTTPProblemConvertible else { throw error }
        return errorPage(error.problem, staff: staff, back: back)
    }
}
