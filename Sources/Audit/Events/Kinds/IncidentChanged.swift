/// `incident.changed`: a personal-data breach was recorded in the incident register, or its status,
/// description or notices changed. Names the incident by id, its kind and status, and the fields
/// written; never the description.
public struct IncidentChanged: TypedAuditEvent {
    public static let type = "incident.changed"

    /// What happened.
    public enum Change: String, Sendable {
        case recorded
        case updated
    }

    public var actor: String
    /// `inc_…`.
    public var incident: String
    public var change: Change
    /// The incident's kind (`unauthorised_access` …).
    public var kind: String
    /// The status after the change.
    public var status: String
    /// The fields written (names only).
    public var fields: [String]
    /// For `recorded`: the number of data subjects the scope selects in the audit log.
    public var affectedSubjects: Int?
    /// The policy set that permitted it.
    public var policyVersion: String?

    public init(
        actor: String, incident: String, change: Change, kind: String, status: String, fields: [String], affectedSubjects: Int? = nil,
        policyVersion: String?
    ) {
        self.actor = actor
        self.incident = incident
        self.change = change
        self.kind = kind
        self.status = status
        self.fields = fields
        self.affectedSubjects = affectedSubjects
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var values: [String: AuditValue] = [
            "incident": .string(incident), "change": .string(change.rawValue), "kind": .string(kind), "status": .string(status),
            "fields": .list(fields),
        ]
        if let affectedSubjects { values["affected_subjects"] = .integer(Int64(affectedSubjects)) }
        if let policyVersion { values["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, purpose: "incident_response", fields: values)
    }
}
