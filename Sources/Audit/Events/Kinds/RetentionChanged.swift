/// `retention.changed`: A subject's retention end was set or cleared (the date itself is not recorded).
public struct RetentionChanged: TypedAuditEvent {
    public static let type = "retention.changed"

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
