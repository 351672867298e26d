/// `pii.read`: personal data of a subject was read through the vault's one door (or the read was
/// refused, with the refusal's code).
public struct PIIRead: TypedAuditEvent {
    public static let type = "pii.read"

    public var actor: String
    public var subject: String
    public var decision: AuditDecision
    public var purpose: String
    /// Field names asked for.
    public var fieldsRequested: [String]
    /// Field names returned (empty when refused).
    public var fieldsReturned: [String]
    /// The consent relied on (`cns_…`).
    public var consent: String?
    /// The refusal's code.
    public var reason: String?
    /// SHA-256 of the policy set that decided.
    public var policyVersion: String?
    /// The subject-access request a `parent_request` read answers (`sar_…`).
    public var request: String?

    public init(
        actor: String, subject: String, decision: AuditDecision, purpose: String, fieldsRequested: [String], fieldsReturned: [String],
        consent: String? = nil, reason: String? = nil, policyVersion: String? = nil, request: String? = nil
    ) {
        self.actor = actor
        self.subject = subject
        self.decision = decision
        self.purpose = purpose
        self.fieldsRequested = fieldsRequested
        self.fieldsReturned = fieldsReturned
        self.consent = consent
        self.reason = reason
        self.policyVersion = policyVersion
        self.request = request
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["fields_requested": .list(fieldsRequested), "fields_returned": .list(fieldsReturned)]
        if let consent { fields["consent"] = .string(consent) }
        if let reason { fields["reason"] = .string(reason) }
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        if let request { fields["request"] = .string(request) }
        return AuditEvent(type: Self.type, actor: actor, subject: subject, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
