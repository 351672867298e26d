/// `policy.decided`: the policy engine decided a request (routes record their denials).
public struct PolicyDecided: TypedAuditEvent {
    public static let type = "policy.decided"

    public var actor: String
    public var decision: AuditDecision
    public var purpose: String
    /// The action asked for (`create`, `read`, …).
    public var action: String
    /// The resource type (`organisation_profile`, `staff`, …).
    public var resource: String
    /// The rule that decided, if any.
    public var rule: String?
    /// SHA-256 of the policy set.
    public var policyVersion: String

    public init(
        actor: String, decision: AuditDecision, purpose: String, action: String, resource: String, rule: String?,
        policyVersion: String
    ) {
        self.actor = actor
        self.decision = decision
        self.purpose = purpose
        self.action = action
        self.resource = resource
        self.rule = rule
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [
            "action": .string(action), "resource": .string(resource), "policy_version": .string(policyVersion),
        ]
        if let rule { fields["rule"] = .string(rule) }
        return AuditEvent(type: Self.type, actor: actor, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
