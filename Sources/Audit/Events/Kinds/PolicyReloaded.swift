/// `policy.reloaded`: the policy set was reloaded (or a reload was rejected).
public struct PolicyReloaded: TypedAuditEvent, Hashable {
    public static let type = "policy.reloaded"

    /// The outcome of a reload.
    public enum Outcome: String, Sendable, Hashable {
        case applied
        case rejected
    }

    /// The process that reloaded (`service:gateway`, `service:vault`).
    public var actor: String
    /// SHA-256 of the policy set now in force (applied) or refused (rejected).
    public var policyVersion: String
    public var outcome: Outcome

    /// The record of one reload.
    public init(actor: String, policyVersion: String, outcome: Outcome) {
        self.actor = actor
        self.policyVersion = policyVersion
        self.outcome = outcome
    }

    public var event: AuditEvent {
        AuditEvent(
            type: Self.type, actor: actor,
            fields: ["policy_version": .string(policyVersion), "outcome": .string(outcome.rawValue)])
    }
}
