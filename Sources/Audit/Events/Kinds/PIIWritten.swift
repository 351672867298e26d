/// `pii.written`: personal data of a subject was created or changed through the vault (or the
/// attempt was refused).
public struct PIIWritten: TypedAuditEvent {
    public static let type = "pii.written"

    /// What the write was.
    public enum Operation: String, Sendable {
        case create
        case update
    }

    public var actor: String
    public var subject: String
    public var decision: AuditDecision
    public var purpose: String
    /// Field names written.
    public var fieldsWritten: [String]
    public var operation: Operation

    public init(actor: String, subject: String, decision: AuditDecision, purpose: String, fieldsWritten: [String], operation: Operation) {
        self.actor = actor
        self.subject = subject
        self.decision = decision
        self.purpose = purpose
        self.fieldsWritten = fieldsWritten
        self.operation = operation
    }

    public var event: AuditEvent {
        AuditEvent(
            type: Self.type, actor: actor, subject: subject, decision: decision.rawValue, purpose: purpose,
            fields: ["fields_written": .list(fieldsWritten), "operation": .string(operation.rawValue)])
    }
}
