import Accounts
import TrialsHTTP

extension TrialsCaller {
    /// The caller of a page's session, as the trials routes make it.
    init(_ staff: StaffSession, _ trials: TrialsRoutes.Dependencies) throws {
        try self.init(session: staff, schema: trials.desk.policies.current.schema)
    }
}
