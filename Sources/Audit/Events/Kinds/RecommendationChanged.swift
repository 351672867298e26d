/// `recommendation.changed`: a navigator generated a pupil's recommendations, edited one's text or
/// published one. The subject is the pupil's recommendations token; never the text.
public struct RecommendationChanged: TypedAuditEvent {
    public static let type = "recommendation.changed"

    /// What happened.
    public enum Change: String, Sendable {
        case generated
        case edited
        case published
    }

    public var actor: String
    /// `rec_…`.
    public var subject: String
    public var change: Change
    /// How many recommendations the change wrote.
    public var items: Int
    /// `recommendation:17`, for an edit or a publication.
    public var item: String?
    public var purpose: String
    public var policyVersion: String?

    public init(actor: String, subject: String, change: Change, items: Int, item: String?, purpose: String, policyVersion: String?) {
        self.actor = actor
        self.subject = subject
        self.change = change
        self.items = items
        self.item = item
        self.purpose = purpose
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["change": .string(change.rawValue), "items": .integer(Int64(items))]
        if let item { fields["item"] = .string(item) }
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, subject: subject, purpose: purpose, fields: fields)
    }
}
