/// `erasure_register.read`: The compliance officer read the vault's erasure deadlines or its
/// destruction register (tokens, field names, reasons, dates, methods; no personal data values).
public struct ErasureRegisterRead: TypedAuditEvent {
    public static let type = "erasure_register.read"

    /// The principal that acted.
    public var actor: String
    /// The decision.
    public var decision: AuditDecision
    /// The purpose code.
    public var purpose: String
    /// `view`: `deadlines` or `register`.
    public var view: String
    /// `result_count`.
    public var resultCount: Int
    /// `policy_version`.
    public var policyVersion: String?

    public init(actor: String, decision: AuditDecision, purpose: String, view: String, resultCount: Int, policyVersion: String? = nil) {
        self.actor = actor
        self.decision = decision
        self.purpose = purpose
        self.view = view
        self.resultCount = resultCount
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [:]
        fields["view"] = .string(view)
        fields["result_count"] = .integer(Int64(resultCount))
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, subject: nil, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
