public import Identity

/// The roles a staff account can hold: the schema's roles that sign in with a password on a
/// workstation certificate (pupils sign in without a certificate and services have no account).
///
/// Each role fixes the kind of organisation its workstation certificates belong to and whether the
/// account carries a region, matching the attributes `policies/bilet.schema` declares for it.
public enum StaffRole: String, Sendable, Hashable, CaseIterable, Codable {
    case operator_ = "operator"
    case regionalCoordinator = "regional_coordinator"
    case school
    case venue
    case navigator
    case mentor
    case methodologist
    case complianceOfficer = "compliance_officer"
    case securityAdmin = "security_admin"

    /// The organisation kind the account's organisation must have; nil when any kind will do.
    public var organisationKind: OrganisationKind? {
        switch self {
        case .school, .navigator: .school
        case .venue, .mentor: .venue
        case .regionalCoordinator: .region
        case .operator_, .methodologist, .complianceOfficer, .securityAdmin: nil
        }
    }

    /// Whether the account must carry a region (the schema gives the role a `region` attribute).
    public var needsRegion: Bool {
        switch self {
        case .regionalCoordinator, .school, .venue, .navigator, .mentor: true
        case .operator_, .methodologist, .complianceOfficer, .securityAdmin: false
        }
    }
}
