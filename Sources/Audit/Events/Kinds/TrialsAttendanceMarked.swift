/// `trials.attendance_marked`: the mentor running an event marked a seated pupil's attendance,
/// grade or feedback. Names the fields written, never the grade or the text. The subject is the
/// pupil's trials token.
public struct TrialsAttendanceMarked: TypedAuditEvent {
    public static let type = "trials.attendance_marked"

    public var actor: String
    /// The pupil's trials token (`trl_…`).
    public var subject: String
    /// `event:17`.
    public var eventID: String
    /// `attended`, `grade`, `feedback`: the fields written.
    public var fields: [String]
    public var purpose: String
    public var policyVersion: String?

    public init(actor: String, subject: String, eventID: String, fields: [String], purpose: String, policyVersion: String?) {
        self.actor = actor
        self.subject = subject
        self.eventID = eventID
        self.fields = fields
        self.purpose = purpose
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var values: [String: AuditValue] = ["event": .string(eventID), "fields": .list(fields)]
        if let policyVersion { values["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, subject: subject, purpose: purpose, fields: values)
    }
}
