/// `trials.event_changed`: a venue created, edited or submitted an event, named its mentor, or the
/// region's coordinator approved or returned it; or a venue registered a place or a mentor. Names the event, venue and region by identifier;
/// never the title or the return reason.
public struct TrialsEventChanged: TypedAuditEvent {
    public static let type = "trials.event_changed"

    /// What happened.
    public enum Change: String, Sendable {
        case created
        case updated
        case mentorAssigned = "mentor_assigned"
        case submitted
        case approved
        case returned
        case placeRegistered = "place_registered"
        case mentorRegistered = "mentor_registered"
    }

    public var actor: String
    /// `event:17` (a registered place: `place:3`; a registered mentor: `user:usr_…`).
    public var eventID: String
    public var change: Change
    /// `bilet://venue/77-0042`.
    public var venue: String
    /// `bilet://region/77`.
    public var region: String
    /// The status after the change.
    public var status: String
    public var purpose: String
    public var policyVersion: String?

    public init(
        actor: String, eventID: String, change: Change, venue: String, region: String, status: String, purpose: String,
        policyVersion: String?
    ) {
        self.actor = actor
        self.eventID = eventID
        self.change = change
        self.venue = venue
        self.region = region
        self.status = status
        self.purpose = purpose
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [
            "event": .string(eventID), "change": .string(change.rawValue), "venue": .string(venue), "region": .string(region),
            "status": .string(status),
        ]
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, purpose: purpose, fields: fields)
    }
}
