/// `legal_hold.changed`: A legal hold on a subject was set or cleared.
public struct LegalHoldChanged: TypedAuditEvent {
    public static let type = "legal_hold.changed"

    /// The principal that acted.
    public var actor: String
    /// The data subject's token.
    public var subject: String
    /// `change`.
    public var change: String

    public init(actor: String, subject: String, change: String) {
        self.actor = actor
        self.subject = subject
        self.change = change
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [:]
        fields["change"] = .string(change)
        return AuditEvent(type: Self.type, actor: actor, subject: subject, fields: fields)
    }
}
