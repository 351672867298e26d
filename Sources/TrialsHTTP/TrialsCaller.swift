public import Accounts
public import Policy

/// Who acts on the trials routes, as a verified staff session describes them: the account, its
/// role, organisation and region, and its policy principal. Built from a session only
/// (``init(session:schema:)``); the memberwise form is for tests and the benchmark.
public struct TrialsCaller: Sendable, Hashable {
    /// `usr_…`.
    public var account: String
    public var role: StaffRole
    /// The organisation's registry id (`77-0042` for a venue, `77-1234` for a school, `77` for a region).
    public var organisation: String
    public var region: String?
    public var principal: Principal

    /// The audit actor: `user:usr_…`.
    public var actor: String { "user:\(account)" }

    /// Creates a caller as given (tests, the benchmark).
    public init(account: String, role: StaffRole, organisation: String, region: String?, principal: Principal) {
        self.account = account
        self.role = role
        self.organisation = organisation
        self.region = region
        self.principal = principal
    }

    /// The caller of a verified staff session.
    ///
    /// - Throws: ``AccountsError/Code/schemaMismatch`` (no principal, no access).
    public init(session: StaffSession, schema: Schema) throws(AccountsError) {
        self.init(
            account: session.accountID, role: session.role, organisation: session.organisation.id.value, region: session.region,
            principal: try session.principal(schema: schema))
    }
}
