/// `duplicate.handled`: a regional coordinator listed or resolved cases of the duplicate register.
public struct DuplicateHandled: TypedAuditEvent {
    public static let type = "duplicate.handled"

    /// What was done.
    public enum Operation: String, Sendable {
        case list
        case resolve
    }

    public var actor: String
    public var purpose: String
    public var operation: Operation
    public var decision: AuditDecision
    /// The case resolved (`dup_…`).
    public var duplicateCase: String?
    /// `same` or `different`, for a resolve.
    public var resolution: String?
    /// Cases listed.
    public var resultCount: Int?
    /// The refusal's code, for a deny.
    public var reason: String?

    public init(
        actor: String, purpose: String, operation: Operation, decision: AuditDecision, duplicateCase: String? = nil,
        resolution: String? = nil, resultCount: Int? = nil, reason: String? = nil
    ) {
        self.actor = actor
        self.purpose = purpose
        self.operation = operation
        self.decision = decision
        self.duplicateCase = duplicateCase
        self.resolution = resolution
        self.resultCount = resultCount
        self.reason = reason
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["operation": .string(operation.rawValue)]
        if let duplicateCase { fields["case"] = .string(duplicateCase) }
        if let resolution { fields["resolution"] = .string(resolution) }
        if let resultCount { fields["result_count"] = .integer(Int64(resultCount)) }
        if let reason { fields["reason"] = .string(reason) }
        return AuditEvent(type: Self.type, actor: actor, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
