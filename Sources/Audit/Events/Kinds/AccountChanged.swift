/// `account.changed`: an account was created, given an activation code, activated, disabled or
/// re-enabled. Names the account by id (`user:usr_…`, `pupil:pac_…`), never its login.
public struct AccountChanged: TypedAuditEvent {
    public static let type = "account.changed"

    /// What happened to the account.
    public enum Change: String, Sendable {
        case created
        case activationIssued = "activation_issued"
        case activated
        case disabled
        case enabled
    }

    public var actor: String
    public var account: String
    public var change: Change
    /// The account's role (`school`, `pupil`, …).
    public var role: String?

    public init(actor: String, account: String, change: Change, role: String?) {
        self.actor = actor
        self.account = account
        self.change = change
        self.role = role
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["account": .string(account), "change": .string(change.rawValue)]
        if let role { fields["role"] = .string(role) }
        return AuditEvent(type: Self.type, actor: actor, fields: fields)
    }
}
