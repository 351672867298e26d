/// `recommendation.opportunity_uploaded`: a region's coordinator uploaded an opportunity. Names
/// the opportunity and the region by identifier; never the title or the link.
public struct OpportunityUploaded: TypedAuditEvent {
    public static let type = "recommendation.opportunity_uploaded"

    public var actor: String
    /// `opportunity:3`.
    public var opportunity: String
    /// `bilet://region/77`.
    public var region: String
    public var purpose: String
    public var policyVersion: String?

    public init(actor: String, opportunity: String, region: String, purpose: String, policyVersion: String?) {
        self.actor = actor
        self.opportunity = opportunity
        self.region = region
        self.purpose = purpose
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["opportunity": .string(opportunity), "region": .string(region)]
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, purpose: purpose, fields: fields)
    }
}
