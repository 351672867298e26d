/// `pupil.transferred`: a transfer of a pupil to another school was requested or accepted, or
/// refused (with the reason code).
public struct PupilTransferred: TypedAuditEvent {
    public static let type = "pupil.transferred"

    /// `request` or `accept`.
    public enum Operation: String, Sendable, Hashable {
        case request
        case accept
    }

    public var actor: String
    /// The pupil token.
    public var subject: String
    public var decision: AuditDecision
    public var purpose: String
    public var operation: Operation
    /// The transfer reference (`trf_…`).
    public var transfer: String?
    /// `school:77-1234`.
    public var fromSchool: String?
    /// `school:77-5678`.
    public var toSchool: String?
    public var reason: String?
    public var policyVersion: String?

    /// Creates the record.
    public init(
        actor: String, subject: String, decision: AuditDecision, purpose: String, operation: Operation, transfer: String? = nil,
        fromSchool: String? = nil, toSchool: String? = nil, reason: String? = nil, policyVersion: String? = nil
    ) {
        self.actor = actor
        self.subject = subject
        self.decision = decision
        self.purpose = purpose
        self.operation = operation
        self.transfer = transfer
        self.fromSchool = fromSchool
        self.toSchool = toSchool
        self.reason = reason
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["operation": .string(operation.rawValue)]
        if let transfer { fields["transfer"] = .string(transfer) }
        if let fromSchool { fields["from_school"] = .string(fromSchool) }
        if let toSchool { fields["to_school"] = .string(toSchool) }
        if let reason { fields["reason"] = .string(reason) }
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(
            type: Self.type, actor: actor, subject: subject, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
