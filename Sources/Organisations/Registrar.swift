public import Identity

/// Who acts on the registry, as a verified staff session describes them: the audit actor
/// (`user:usr_…`), the organisation whose workstation and account they use, and its region.
public struct Registrar: Sendable, Hashable {
    public let actor: String
    public let organisation: Organisation
    public let region: String?

    public init(actor: String, organisation: Organisation, region: String?) {
        self.actor = actor
        self.organisation = organisation
        self.region = region
    }

    /// Whether the hierarchy lets this registrar register an organisation of `kind` in `region`:
    /// the operator registers regions; a region's coordinator registers schools and venues in its
    /// own region. Nothing else registers anything.
    public func mayRegister(_ kind: OrganisationKind, in region: String) -> Bool {
        switch (organisation.kind, kind) {
        case (.operator, .region): true
        case (.region, .school), (.region, .venue): organisation.id.value == region && self.region == region
        default: false
        }
    }
}
