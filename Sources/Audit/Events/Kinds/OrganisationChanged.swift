/// `organisation.changed`: an organisation was registered (with its data-processing agreement) or
/// its profile was updated. Names the organisation by URI and the fields written, never values.
public struct OrganisationChanged: TypedAuditEvent {
    public static let type = "organisation.changed"

    /// What happened.
    public enum Change: String, Sendable {
        case registered
        case profileUpdated = "profile_updated"
    }

    public var actor: String
    /// `bilet://school/77-1234`.
    public var organisation: String
    public var change: Change
    /// `operator`, `region`, `school` or `venue`.
    public var kind: String
    /// `bilet://region/77`, for organisations in a region.
    public var region: String?
    /// The profile fields written.
    public var fields: [String]
    /// The policy set that permitted it.
    public var policyVersion: String?

    public init(
        actor: String, organisation: String, change: Change, kind: String, region: String?, fields: [String],
        policyVersion: String?
    ) {
        self.actor = actor
        self.organisation = organisation
        self.change = change
        self.kind = kind
        self.region = region
        self.fields = fields
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var values: [String: AuditValue] = [
            "organisation": .string(organisation), "change": .string(change.rawValue), "kind": .string(kind),
            "fields": .list(fields),
        ]
        if let region { values["region"] = .string(region) }
        if let policyVersion { values["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, fields: values)
    }
}
