/// `token.resolved`: A pupil's pairwise token was released (translated) for a module.
public struct TokenResolved: TypedAuditEvent {
    public static let type = "token.resolved"

    /// The principal that acted.
    public var actor: String
    /// The data subject's token.
    public var subject: String
    /// The decision.
    public var decision: AuditDecision
    /// The purpose code.
    public var purpose: String
    /// `fields_returned`.
    public var fieldsReturned: [String]
    /// `consent`.
    public var consent: String?

    public init(actor: String, subject: String, decision: AuditDecision, purpose: String, fieldsReturned: [String], consent: String? = nil) {
        self.actor = actor
        self.subject = subject
        self.decision = decision
        self.purpose = purpose
        self.fieldsReturned = fieldsReturned
        self.consent = consent
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [:]
        fields["fields_returned"] = .list(fieldsReturned)
        if let consent { fields["consent"] = .string(consent) }
        return AuditEvent(type: Self.type, actor: actor, subject: subject, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
