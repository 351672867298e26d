/// `subject.erased`: A subject's data (or some of its categories) was destroyed: crypto-shredding or a destruction deadline.
public struct SubjectErased: TypedAuditEvent {
    public static let type = "subject.erased"

    /// The principal that acted.
    public var actor: String
    /// The data subject's token.
    public var subject: String
    /// `reason`.
    public var reason: String
    /// `categories`.
    public var categories: [String]

    public init(actor: String, subject: String, reason: String, categories: [String]) {
        self.actor = actor
        self.subject = subject
        self.reason = reason
        self.categories = categories
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [:]
        fields["reason"] = .string(reason)
        fields["categories"] = .list(categories)
        return AuditEvent(type: Self.type, actor: actor, subject: subject, fields: fields)
    }
}
