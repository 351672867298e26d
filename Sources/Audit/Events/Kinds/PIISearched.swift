/// `pii.searched`: the vault was searched by a sensitive value; the record holds a keyed hash of
/// the value, never the value.
public struct PIISearched: TypedAuditEvent {
    public static let type = "pii.searched"

    public var actor: String
    public var decision: AuditDecision
    public var purpose: String
    /// What was searched by (`snils`, `name_birth_date`).
    public var field: String
    /// The keyed hash of the normalised value searched for.
    public var value: String
    /// Subjects released.
    public var resultCount: Int

    public init(actor: String, decision: AuditDecision, purpose: String, field: String, value: String, resultCount: Int) {
        self.actor = actor
        self.decision = decision
        self.purpose = purpose
        self.field = field
        self.value = value
        self.resultCount = resultCount
    }

    public var event: AuditEvent {
        AuditEvent(
            type: Self.type, actor: actor, decision: decision.rawValue, purpose: purpose,
            fields: ["field": .string(field), "value": .string(value), "result_count": .integer(Int64(resultCount))])
    }
}
