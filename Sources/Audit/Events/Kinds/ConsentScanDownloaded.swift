/// `consent.scan_downloaded`: The scan of a signed paper consent was downloaded (or refused).
public struct ConsentScanDownloaded: TypedAuditEvent {
    public static let type = "consent.scan_downloaded"

    /// The principal that acted.
    public var actor: String
    /// The data subject's token.
    public var subject: String
    /// The decision.
    public var decision: AuditDecision
    /// The purpose code.
    public var purpose: String
    /// `consent`.
    public var consent: String
    /// `format`.
    public var format: String?
    /// `reason`.
    public var reason: String?
    /// `policy_version`.
    public var policyVersion: String?

    public init(actor: String, subject: String, decision: AuditDecision, purpose: String, consent: String, format: String? = nil, reason: String? = nil, policyVersion: String? = nil) {
        self.actor = actor
        self.subject = subject
        self.decision = decision
        self.purpose = purpose
        self.consent = consent
        self.format = format
        self.reason = reason
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [:]
        fields["consent"] = .string(consent)
        if let format { fields["format"] = .string(format) }
        if let reason { fields["reason"] = .string(reason) }
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, subject: subject, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
