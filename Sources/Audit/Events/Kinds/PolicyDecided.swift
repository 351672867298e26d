/// `policy.decided`: The policy engine decided on a request (recorded for refusals without a type of their own).
public struct PolicyDecided: TypedAuditEvent {
    public static let type = "policy.decided"

    /// The principal that acted.
    public var actor: String
    /// The data subject's token.
    public var subject: String?
    /// The decision.
    public var decision: AuditDecision
    /// The purpose code.
    public var purpose: String?
    /// `action`.
    public var action: String
    /// `resource`.
    public var resource: String
    /// `fields_requested`.
    public var fieldsRequested: [String]?
    /// `rule`.
    public var rule: String?
    /// `policy_version`.
    public var policyVersion: String?

    public init(actor: String, subject: String? = nil, decision: AuditDecision, purpose: String? = nil, action: String, resource: String, fieldsRequested: [String]? = nil, rule: String? = nil, policyVersion: String? = nil) {
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
        var fields: [String: AuditValue] = [:]
        fields["action"] = .string(action)
        fields["resource"] = .string(resource)
        if let fieldsRequested { fields["fields_requested"] = .list(fieldsRequested) }
        if let rule { fields["rule"] = .string(rule) }
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, subject: subject, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
