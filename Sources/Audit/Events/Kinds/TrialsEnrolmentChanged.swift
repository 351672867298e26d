/// `trials.enrolment_changed`: a navigator enrolled a pupil (seated or waiting) or cancelled an
/// enrolment, or a waiting pupil was promoted to a freed seat. The subject is the pupil's trials
/// token.
public struct TrialsEnrolmentChanged: TypedAuditEvent {
    public static let type = "trials.enrolment_changed"

    /// What happened.
    public enum Change: String, Sendable {
        case enrolled
        case cancelled
        case promoted
    }

    public var actor: String
    /// The pupil's trials token (`trl_…`).
    public var subject: String
    /// `event:17`.
    public var eventID: String
    public var change: Change
    /// `seated` or `waiting` (for a cancellation: the state the enrolment had).
    public var state: String
    /// The place on the waiting list.
    public var waitingPosition: Int?
    public var purpose: String
    public var policyVersion: String?

    public init(
        actor: String, subject: String, eventID: String, change: Change, state: String, waitingPosition: Int?, purpose: String,
        policyVersion: String?
    ) {
        self.actor = actor
        self.subject = subject
        self.eventID = eventID
        self.change = change
        self.state = state
        self.waitingPosition = waitingPosition
        self.purpose = purpose
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["event": .string(eventID), "change": .string(change.rawValue), "state": .string(state)]
        if let waitingPosition { fields["waiting_position"] = .integer(Int64(waitingPosition)) }
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, subject: subject, purpose: purpose, fields: fields)
    }
}
