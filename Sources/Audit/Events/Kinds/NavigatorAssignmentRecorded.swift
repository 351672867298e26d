/// `navigator.assignment`: a school assigned its navigator teacher to its pupil for the school
/// year, ended an assignment or listed a pupil's navigators, or was refused (with the reason code).
public struct NavigatorAssignmentRecorded: TypedAuditEvent {
    public static let type = "navigator.assignment"

    /// What the school did.
    public enum Operation: String, Sendable, Hashable {
        case assign
        case end
        case list
    }

    /// The principal that acted.
    public var actor: String
    /// The pupil's vault token.
    public var subject: String
    public var decision: AuditDecision
    public var purpose: String
    public var operation: Operation
    /// The navigator's account as `user:usr_…`; nil for a list.
    public var navigator: String?
    /// The refusal reason code when denied.
    public var reason: String?
    /// The audit digest of the policy set that decided.
    public var policyVersion: String?

    /// Creates the record.
    public init(
        actor: String, subject: String, decision: AuditDecision, purpose: String, operation: Operation, navigator: String? = nil,
        reason: String? = nil, policyVersion: String? = nil
    ) {
        self.actor = actor
        self.subject = subject
        self.decision = decision
        self.purpose = purpose
        self.operation = operation
        self.navigator = navigator
        self.reason = reason
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["operation": .string(operation.rawValue)]
        if let navigator { fields["navigator"] = .string(navigator) }
        if let reason { fields["reason"] = .string(reason) }
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(
            type: Self.type, actor: actor, subject: subject, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
