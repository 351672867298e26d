/// `consent.scan_uploaded`: the scan of a signed paper consent was attached through the vault, or
/// the upload was refused (with the reason code).
public struct ConsentScanUploaded: TypedAuditEvent {
    public static let type = "consent.scan_uploaded"

    public var actor: String
    /// The pupil (or guardian) token the consent is about.
    public var subject: String
    public var decision: AuditDecision
    public var purpose: String
    /// The consent token (`cns_…`).
    public var consent: String
    /// `pdf`, `jpeg` or `png`.
    public var format: String?
    /// SHA-256 of the scan, hex.
    public var sha256: String?
    public var byteCount: Int?
    public var reason: String?
    public var policyVersion: String?

    /// Creates the record.
    public init(
        actor: String, subject: String, decision: AuditDecision, purpose: String, consent: String, format: String? = nil,
        sha256: String? = nil, byteCount: Int? = nil, reason: String? = nil, policyVersion: String? = nil
    ) {
        self.actor = actor
        self.subject = subject
        self.decision = decision
        self.purpose = purpose
        self.consent = consent
        self.format = format
        self.sha256 = sha256
        self.byteCount = byteCount
        self.reason = reason
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["consent": .string(consent)]
        if let format { fields["format"] = .string(format) }
        if let sha256 { fields["sha256"] = .string(sha256) }
        if let byteCount { fields["byte_count"] = .integer(Int64(byteCount)) }
        if let reason { fields["reason"] = .string(reason) }
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(
            type: Self.type, actor: actor, subject: subject, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
