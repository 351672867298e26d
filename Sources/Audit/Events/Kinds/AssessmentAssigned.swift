/// `assessment.assigned`: a navigator assigned a published test version to a pupil, named by the
/// pupil's vault token (never the module's token, never a name).
public struct AssessmentAssigned: TypedAuditEvent {
    public static let type = "assessment.assigned"

    public var actor: String
    /// The pupil's vault token.
    public var subject: String
    /// The test's code.
    public var test: String
    public var version: Int
    /// `urn:uuid:…`.
    public var assignment: String
    /// `assessment`.
    public var purpose: String

    public init(actor: String, subject: String, test: String, version: Int, assignment: String, purpose: String) {
        self.actor = actor
        self.subject = subject
        self.test = test
        self.version = version
        self.assignment = assignment
        self.purpose = purpose
    }

    public var event: AuditEvent {
        AuditEvent(
            type: Self.type, actor: actor, subject: subject, purpose: purpose,
            fields: ["test": .string(test), "version": .integer(Int64(version)), "assignment": .string(assignment)])
    }
}
