public import Identity

/// A staff account as its organisation's administrator and its holder see it: never a password
/// hash, an activation code or a failure counter.
public struct StaffAccountStatus: Sendable, Hashable {
    /// Where the account stands.
    public enum Status: String, Sendable, Hashable {
        /// Created, waiting for its holder to activate it with the activation code.
        case pending
        case active
        case disabled
    }

    /// `usr_…`.
    public let id: String
    public let login: String
    public let role: StaffRole
    public let organisation: Organisation
    public let region: String?
    public let status: Status
    /// Whether the holder has recorded the current version of the staff consent.
    public let consentRecorded: Bool

    /// The account as an audit actor: `user:usr_…`.
    public var actor: String { "user:\(id)" }
}
