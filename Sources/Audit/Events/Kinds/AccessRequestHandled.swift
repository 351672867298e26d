/// `access_request.handled`: A subject-access request was registered, listed or answered.
public struct AccessRequestHandled: TypedAuditEvent {
    public static let type = "access_request.handled"

    /// The principal that acted.
    public var actor: String
    /// The data subject's token.
    public var subject: String
    /// The decision.
    public var decision: AuditDecision
    /// The purpose code.
    public var purpose: String
    /// `operation`.
    public var operation: String
    /// `request`.
    public var request: String?
    /// `result_count`.
    public var resultCount: Int?
    /// `reason`.
    public var reason: String?
    /// `policy_version`.
    public var policyVersion: String?

    public init(actor: String, subject: String, decision: AuditDecision, purpose: String, operation: String, request: String? = nil, resultCount: Int? = nil, reason: String? = nil, policyVersion: String? = nil) {
        self.actor = actor
        self.subject = subject
        self.decision = decision
        self.purpose = purpose
        self.operation = operation
        self.request = request
        self.resultCount = resultCount
        self.reason = reason
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [:]
        fields["operation"] = .string(operation)
        if let request { fields["request"] = .string(request) }
        if let resultCount { fields["result_count"] = .integer(Int64(resultCount)) }
        if let reason { fields["reason"] = .string(reason) }
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, subject: subject, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
