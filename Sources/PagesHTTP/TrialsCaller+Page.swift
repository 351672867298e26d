import Accounts
import Gateway
import Hummingbird
import TrialsHTTP

extension TrialsCaller {
    /// The caller of a page's session, as the trials routes make it.
    init(_ staff: StaffSession, _ trials: TrialsRoutes.Dependencies) throws {
        try self.init(session: staff, schema: trials.desk.policies.current.schema)
    }
}

extension PageKit {
    /// `page` for the session's staff member as a trials caller when its role is `role`; any other
    /// role gets the page naming whose page it is (`whose`), before any service is asked.
    func trialsPage(
        _ context: BiletRequestContext, role: StaffRole, whose: String, _ trials: TrialsRoutes.Dependencies,
        _ page: (StaffSession, TrialsCaller) async throws -> Response
    ) async throws -> Response {
        let staff = try context.requireStaff()
        guard staff.role == role else { return notForRole(staff, whose) }
        return try await page(staff, try TrialsCaller(staff, trials))
    }
}
