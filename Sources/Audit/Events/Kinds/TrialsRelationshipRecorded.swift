/// `trials.relationship_recorded`: the vault recorded or expired a relationship fact the mentors'
/// name reads are decided on (`enrolled_in` for a pupil, by vault token; `run_by` for a mentor).
public struct TrialsRelationshipRecorded: TypedAuditEvent {
    public static let type = "trials.relationship_recorded"

    /// Recorded or expired.
    public enum Change: String, Sendable {
        case recorded
        case expired
    }

    public var actor: String
    /// For `enrolled_in`: the pupil's vault token.
    public var subject: String?
    /// `enrolled_in` or `run_by`.
    public var relation: String
    public var change: Change
    /// `event:17`.
    public var eventID: String
    /// For `run_by`: `user:usr_…`.
    public var user: String?
    public var purpose: String

    public init(actor: String, subject: String?, relation: String, change: Change, eventID: String, user: String?, purpose: String) {
        self.actor = actor
        self.subject = subject
        self.relation = relation
        self.change = change
        self.eventID = eventID
        self.user = user
        self.purpose = purpose
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["relation": .string(relation), "change": .string(change.rawValue), "event": .string(eventID)]
        if let user { fields["user"] = .string(user) }
        return AuditEvent(type: Self.type, actor: actor, subject: subject, purpose: purpose, fields: fields)
    }
}
