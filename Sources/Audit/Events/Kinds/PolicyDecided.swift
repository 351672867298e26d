/// `policy.decided`: the policy engine decided on a request (appended for denials, and for
/// permits where no other record states the decision).
public struct PolicyDecided: TypedAuditEvent, Hashable {
    public static let type = "policy.decided"

    /// Who asked (`user:usr_…`, a device or service URI).
    public var actor: String
    /// The pupil the request was about, if any (a subject token).
    public var subject: String?
    /// The decision.
    public var decision: AuditDecision
    /// The purpose declared with the request.
    public var purpose: String?
    /// The action asked for (`read`, `verify`, …).
    public var action: String
    /// The kind of resource (`audit_log`, `pupil`, …).
    public var resource: String
    /// Field names asked for, if the request named any.
    public var fieldsRequested: [String]?
    /// The rule that decided, if one did.
    public var rule: String?
    /// SHA-256 of the policy set in force.
    public var policyVersion: String?

    /// The record of one decision.
    public init(
        actor: String, subject: String? = nil, decision: AuditDecision, purpose: String? = nil, action: String, resource: String,
        fieldsRequested: [String]? = nil, rule: String? = nil, policyVersion: String? = nil
    ) {
        self.actor = actor
        self.subject = subject
        self.decision = decision
        self.purpose = purpose
        self.action = action
        self.resource = resource
        self.fieldsRequested = fieldsRequested
        self.rule = rule
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["action": .string(action), "resource": .string(resource)]
        if let fieldsRequested { fields["fields_requested"] = .list(fieldsRequested) }
        if let rule { fields["rule"] = .string(rule) }
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(
            type: Self.type, actor: actor, subject: subject, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
