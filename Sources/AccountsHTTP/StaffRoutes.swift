public import Accounts
import Audit
import Foundation
public import Gateway
public import Hummingbird
import HTTPTypes
import Identity
public import Organisations
public import Policy

/// Staff accounts managed by their organisation's administrator (`/v1/staff…`), behind a staff
/// session and the policy engine (resource `staff`, purpose `staff_management`):
///
/// - `POST /v1/staff {login, role, organisation?, region?}`: creates a pending account with a role
///   the caller's role may grant (``StaffRole/grantableRoles``): the operator a region's
///   coordinator, a coordinator the first accounts of its region's schools and venues, a school or
///   venue its own staff. `201 {account, activation_code, activation_expires_at}`.
/// - `GET /v1/staff`: the accounts of the caller's organisation (school, venue).
/// - `POST /v1/staff/{account}/disable`, `…/enable`: `204`, by the account's own school or venue, by
///   the operator for a coordinator's account, by a coordinator for an account of its region's
///   schools and venues; `…/activation-code`: a new code (the old one dies), `201`, by the own
///   school or venue only. Any other account answers as an unknown one (`404`).
/// - `POST /v1/staff/activate {login, activation_code, password}` (no session; a workstation of
///   the account's organisation): sets the holder's own password, `204`; every refusal `401
///   activation-failed`.
/// - `GET /v1/staff/me`, `POST /v1/staff/me/consent {version}`: the holder's own account and their
///   electronic consent to the processing of their personal data; until it is recorded, the
///   session middleware answers every other staff route `403 staff-consent-required`.
///
/// Refusals of the policy or of the granting rules are audited (`policy.decided`, `deny`) and
/// answered `403 forbidden`.
public enum StaffRoutes {
    /// The purpose every request of these routes is made for.
    public static let purpose = "staff_management"
    /// The largest body accepted, in bytes.
    public static let maximumRequestBytes = 4 * 1024

    /// What the routes need.
    public struct Dependencies: Sendable {
        public let sessions: StaffSessions
        public let policies: PolicyStore
        public let administration: StaffAdministration
        public let registry: OrganisationRegistry

        /// Collects the dependencies: sessions and administration on `bilet_accounts`, the policies,
        /// and the organisation registry (`bilet_organisations`) that places a new account's
        /// organisation in its region.
        public init(sessions: StaffSessions, policies: PolicyStore, administration: StaffAdministration, registry: OrganisationRegistry) {
            self.sessions = sessions
            self.policies = policies
            self.administration = administration
            self.registry = registry
        }
    }

    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>, _ dependencies: Dependencies) {
        router.post("/v1/staff/activate") { request, context -> Response in
            guard let certificate = context.connection.flatMap({ PresentedCertificate($0.peer) }) else {
                throw Problem(.unauthorized, code: "no-client-certificate", title: "Activating an account needs a workstation certificate.")
            }
            let body = try await JSONBody.decode(ActivateBody.self, from: request, limit: maximumRequestBytes)
            try await dependencies.administration.activate(
                login: body.login, code: body.activationCode, password: body.password, certificate: certificate)
            return Response(status: .noContent)
        }
        let group = router.group("/v1/staff").add(middleware: StaffSessionMiddleware(sessions: dependencies.sessions))
        group.get("me") { _, context -> Response in
            let staff = try context.requireStaff()
            guard let account = try await dependencies.administration.account(id: staff.accountID) else {
                throw AccountsError(.notFound, "no account")
            }
            return JSONBody.response(.ok, StaffAccountBody(account))
        }
        group.post("me/consent") { request, context -> Response in
            let staff = try context.requireStaff()
            let body = try await JSONBody.decode(ConsentBody.self, from: request, limit: maximumRequestBytes)
            try await dependencies.administration.recordConsent(staff, version: body.version)
            return Response(status: .noContent)
        }
        group.post { request, context -> Response in
            let staff = try context.requireStaff()
            let body = try await JSONBody.decode(CreateStaffBody.self, from: request, limit: maximumRequestBytes)
            guard let role = StaffRole(rawValue: body.role) else { throw AccountsError(.unknownRole, "not a staff role") }
            let issued = try await create(staff, login: body.login, role: role, organisation: body.organisation, region: body.region, dependencies)
            return JSONBody.response(.created, IssuedBody(issued, withAccount: true))
        }
        group.get { _, context -> Response in
            let accounts = try await Self.accounts(of: try context.requireStaff(), dependencies)
            return JSONBody.response(.ok, StaffListBody(accounts: accounts.map(StaffAccountBody.init)))
        }
        group.post(":account/disable") { _, context -> Response in
            let (staff, account) = try await accountBelow(context, dependencies)
            try await dependencies.administration.setDisabled(account, true, actor: staff.actor)
            return Response(status: .noContent)
        }
        group.post(":account/enable") { _, context -> Response in
            let (staff, account) = try await accountBelow(context, dependencies)
            try await dependencies.administration.setDisabled(account, false, actor: staff.actor)
            return Response(status: .noContent)
        }
        group.post(":account/activation-code") { _, context -> Response in
            let (staff, account) = try await ownAccount(context, dependencies)
            let issued = try await dependencies.administration.reissue(account, actor: staff.actor)
            return JSONBody.response(.created, IssuedBody(issued, withAccount: false))
        }
    }

    /// The accounts of `staff`'s organisation, when the policy lets them read them (`GET
    /// /v1/staff`, and the pages' choice of a navigator); a refusal is audited and thrown as `403
    /// forbidden`.
    public static func accounts(of staff: StaffSession, _ dependencies: Dependencies) async throws -> [StaffAccountStatus] {
        try await decide(staff, "read", organisation: staff.organisation, region: staff.region, dependencies)
        return try await dependencies.administration.list(organisation: staff.organisation)
    }

    /// Creates a pending account of `role` for `staff`, as `POST /v1/staff` does (and the
    /// coordinator's page for a new school's or venue's first account): a role the caller's role
    /// may not grant is audited (`staff.grantable-roles`) and `403`; the organisation
    /// (``target(organisation:region:role:for:_:)``) must fit the role; the policy decides
    /// `create`; the account and its first activation code are recorded with their audit records.
    /// The code is returned once and never stored in the clear.
    public static func create(
        _ staff: StaffSession, login: String, role: StaffRole, organisation: String?, region: String?, _ dependencies: Dependencies
    ) async throws -> IssuedActivationCode {
        guard staff.role.grantableRoles.contains(role) else {
            try await deny(staff, "create", rule: "staff.grantable-roles", dependencies)
        }
        let (organisation, region) = try await target(organisation: organisation, region: region, role: role, for: staff, dependencies)
        try await decide(staff, "create", organisation: organisation, region: region, dependencies)
        return try await dependencies.administration.create(login: login, role: role, organisation: organisation, region: region, actor: staff.actor)
    }

    /// The organisation and region a new account of `role` belongs to. A school or venue creates
    /// accounts of its own organisation only; a coordinator and the operator name a registered
    /// organisation (`school/77-1234` or its URI), whose registered region is the account's (never
    /// the `region` claimed).
    static func target(
        organisation: String?, region claimedRegion: String?, role: StaffRole, for staff: StaffSession, _ dependencies: Dependencies
    ) async throws -> (Organisation, String?) {
        let named = try organisation.map { text throws(AccountsError) -> Organisation in
            let uri = text.hasPrefix("bilet://") ? text : "bilet://\(text)"
            guard let organisation = OrganisationURI.parse(uri) else { throw AccountsError(.invalidArgument, "organisation is malformed") }
            return organisation
        }
        if staff.role.administersOwnOrganisation {
            guard named == nil || named == staff.organisation else {
                try await deny(staff, "create", rule: "staff.own-organisation-only", dependencies)
            }
            return (staff.organisation, staff.region)
        }
        guard let named, named.kind == role.organisationKind else {
            throw AccountsError(.roleMismatch, "the organisation does not fit the role")
        }
        guard let record = try await dependencies.registry.find(named) else {
            throw OrganisationsError(.notFound, "the organisation is not registered")
        }
        if let claimed = claimedRegion, claimed != record.region {
            throw AccountsError(.roleMismatch, "the region is not the organisation's")
        }
        return (named, record.region)
    }

    /// The account named by the path when the caller is a school or venue, the account belongs to
    /// its organisation (and is not its own) and the policy lets the caller change it; another organisation's account answers as an unknown one (its
    /// refusal is audited).
    static func ownAccount(_ context: BiletRequestContext, _ dependencies: Dependencies) async throws -> (StaffSession, StaffAccountStatus) {
        let staff = try context.requireStaff()
        guard let id = context.parameters.get("account"), let account = try await dependencies.administration.account(id: id) else {
            throw AccountsError(.notFound, "no account")
        }
        guard staff.role.administersOwnOrganisation, account.organisation == staff.organisation, account.id != staff.accountID else {
            try? await deny(staff, "update", rule: "staff.own-organisation-only", dependencies)
            throw AccountsError(.notFound, "no account")
        }
        try await decide(staff, "update", organisation: account.organisation, region: account.region, dependencies)
        return (staff, account)
    }

    /// The account named by the path when the caller may disable or re-enable it: a school or venue
    /// its own organisation's accounts (not its own), the operator the accounts of regions (the
    /// coordinators), a coordinator the accounts of its region's schools and venues. The policy
    /// decides on the account's `status` (``decide(_:_:organisation:region:fields:_:)``); the
    /// hierarchy, which the policy cannot tell (an organisation's kind), is enforced here on top.
    /// Any other account answers as an unknown one (`404`; its refusal is audited).
    static func accountBelow(_ context: BiletRequestContext, _ dependencies: Dependencies) async throws -> (StaffSession, StaffAccountStatus) {
        let staff = try context.requireStaff()
        guard let id = context.parameters.get("account"), let account = try await dependencies.administration.account(id: id) else {
            throw AccountsError(.notFound, "no account")
        }
        let below: Bool
        switch staff.role {
        case .school, .venue: below = account.organisation == staff.organisation && account.id != staff.accountID
        case .operator_: below = account.organisation.kind == .region
        case .regionalCoordinator:
            below = [.school, .venue].contains(account.organisation.kind) && staff.region != nil && account.region == staff.region
        case .navigator, .mentor, .methodologist, .complianceOfficer, .securityAdmin: below = false
        }
        guard below else {
            try? await deny(staff, "update", rule: "staff.organisations-below-only", dependencies)
            throw AccountsError(.notFound, "no account")
        }
        do {
            try await decide(staff, "update", organisation: account.organisation, region: account.region, fields: ["status"], dependencies)
        } catch let error as AccountsError where error.code == .forbidden {
            throw AccountsError(.notFound, "no account")
        }
        return (staff, account)
    }

    /// The policy resource of a staff account of `organisation` in `region`.
    static func resource(_ organisation: Organisation, region: String?) -> Resource {
        var attributes: [String: Value] = [:]
        switch organisation.kind {
        case .school, .venue: attributes["organisation"] = .entity(EntityRef(organisation.kind.rawValue, organisation.id.value))
        case .region, .operator: attributes["organisation"] = .entity(EntityRef("organisation", OrganisationURI.string(organisation)))
        }
        if let region { attributes["region"] = .entity(EntityRef("region", region)) }
        return Resource(type: "staff", id: OrganisationURI.string(organisation), attributes: attributes)
    }

    /// The policy's permit for `staff`; a denial is audited and thrown as `403 forbidden`.
    static func decide(
        _ staff: StaffSession, _ action: String, organisation: Organisation, region: String?, fields: [String] = ["organisation"],
        _ dependencies: Dependencies
    ) async throws {
        guard
            try await staff.permit(
                action, on: resource(organisation, region: region), fields: fields, purpose: purpose, policies: dependencies.policies,
                recordDenial: dependencies.administration.recordDenial) != nil
        else { throw AccountsError(.forbidden, "refused") }
    }

    /// Audits a refusal and throws `403 forbidden`.
    static func deny(
        _ staff: StaffSession, _ action: String, rule: String?, version: String? = nil, _ dependencies: Dependencies
    ) async throws -> Never {
        try await dependencies.administration.recordDenial(
            PolicyDecided(
                actor: staff.actor, decision: .deny, purpose: purpose, action: action, resource: "staff", rule: rule,
                policyVersion: version ?? dependencies.policies.current.version.digest))
        throw AccountsError(.forbidden, "refused")
    }
}
