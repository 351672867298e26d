extension StaffRole {
    /// The roles an account of this role may give the accounts it creates: the operator creates
    /// regional coordinators; a coordinator the first accounts of its region's schools and venues;
    /// a school its own school and navigator accounts; a venue its own venue and mentor accounts.
    /// Nothing else creates accounts over HTTP (`bilet accounts` stays for bootstrap).
    public var grantableRoles: Set<StaffRole> {
        switch self {
        case .operator_: [.regionalCoordinator]
        case .regionalCoordinator: [.school, .venue]
        case .school: [.school, .navigator]
        case .venue: [.venue, .mentor]
        case .navigator, .mentor, .methodologist, .complianceOfficer, .securityAdmin: []
        }
    }

    /// Whether this role administers the staff accounts of its own organisation (disables,
    /// re-enables, re-issues codes, lists them).
    public var administersOwnOrganisation: Bool { self == .school || self == .venue }
}
