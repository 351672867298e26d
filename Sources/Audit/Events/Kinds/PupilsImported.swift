/// `pupils.imported`: a school's bulk import was stored or refused as a whole. Each pupil,
/// guardian and consent it stored has its own `pii.written` and `consent.changed` record.
public struct PupilsImported: TypedAuditEvent {
    public static let type = "pupils.imported"

    public var actor: String
    public var decision: AuditDecision
    public var purpose: String
    /// `school:77-1234`.
    public var school: String
    public var rowCount: Int
    public var importedCount: Int
    public var reason: String?
    public var policyVersion: String?

    /// Creates the record.
    public init(
        actor: String, decision: AuditDecision, purpose: String, school: String, rowCount: Int, importedCount: Int,
        reason: String? = nil, policyVersion: String? = nil
    ) {
        self.actor = actor
        self.decision = decision
        self.purpose = purpose
        self.school = school
        self.rowCount = rowCount
        self.importedCount = importedCount
        self.reason = reason
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [
            "school": .string(school), "row_count": .integer(Int64(rowCount)), "imported_count": .integer(Int64(importedCount)),
        ]
        if let reason { fields["reason"] = .string(reason) }
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, decision: decision.rawValue, purpose: purpose, fields: fields)
    }
}
