/// `staff.consent_recorded`: a staff member recorded their electronic consent to the processing of
/// their own personal data (the version of the text they agreed to).
public struct StaffConsentRecorded: TypedAuditEvent {
    public static let type = "staff.consent_recorded"

    /// `user:usr_…`, who consented (also the actor).
    public var account: String
    /// The consent text's version code.
    public var version: String

    public init(account: String, version: String) {
        self.account = account
        self.version = version
    }

    public var event: AuditEvent {
        AuditEvent(type: Self.type, actor: account, fields: ["account": .string(account), "version": .string(version)])
    }
}
