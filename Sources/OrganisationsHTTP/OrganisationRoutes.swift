public import Accounts
import Audit
import Foundation
public import Gateway
public import Hummingbird
import HTTPTypes
public import Identity
public import Organisations
public import Policy

/// The organisation registry's routes (`/v1/organisations…`), behind a staff session and the
/// policy engine (resource `organisation_profile`, purpose `administration`):
///
/// - `POST /v1/organisations`: the operator registers a region; a region's coordinator a school
///   or venue in its own region, with its ИНН/ОГРН (check digits verified) and data-processing
///   agreement. `201` with the organisation.
/// - `GET /v1/organisations?kind=&region=`: the operator all; a coordinator its own region (another
///   region is `403`); a school or venue itself.
/// - `GET /v1/organisations/{kind}/{id}`: one organisation, when the policy lets the caller read it.
/// - `PUT /v1/organisations/{kind}/{id}/profile` `{name, address, profile}`: the organisation updates
///   its own profile (and whoever else the policy permits).
///
/// Every refusal by the policy or the hierarchy is audited (`policy.decided`, `deny`) and answered
/// `403 forbidden`; every change is audited (`organisation.changed`) in its own transaction.
public enum OrganisationRoutes {
    /// The purpose every request of these routes is made for.
    public static let purpose = "administration"
    /// The largest body accepted, in bytes.
    public static let maximumRequestBytes = 16 * 1024

    /// What the routes need.
    public struct Dependencies: Sendable {
        public let sessions: StaffSessions
        public let policies: PolicyStore
        public let registry: OrganisationRegistry

        /// Collects the dependencies: the staff sessions (`bilet_accounts`), the policies, and the
        /// registry (`bilet_organisations`).
        public init(sessions: StaffSessions, policies: PolicyStore, registry: OrganisationRegistry) {
            self.sessions = sessions
            self.policies = policies
            self.registry = registry
        }
    }

    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>, _ dependencies: Dependencies) {
        let group = router.group("/v1/organisations").add(middleware: StaffSessionMiddleware(sessions: dependencies.sessions))
        group.post { request, context -> Response in
            let staff = try context.requireStaff()
            let body = try await JSONBody.decode(RegistrationBody.self, from: request, limit: maximumRequestBytes)
            guard let kind = OrganisationKind(rawValue: body.kind), let id = OrganisationID(body.id) else {
                throw OrganisationsError(.invalidArgument, "kind or id is malformed")
            }
            let registration = OrganisationRegistration(
                organisation: Organisation(kind: kind, id: id), region: body.region, name: body.name, address: body.address,
                inn: body.inn, ogrn: body.ogrn, agreement: body.agreement)
            let record = try await register(staff, registration, dependencies)
            return JSONBody.response(.created, OrganisationBody(record))
        }
        group.get { request, context -> Response in
            let staff = try context.requireStaff()
            let parameters = request.uri.queryParameters
            var kind: OrganisationKind?
            if let text = parameters["kind"] {
                guard let parsed = OrganisationKind(rawValue: String(text)) else {
                    throw OrganisationsError(.invalidArgument, "kind is not an organisation kind")
                }
                kind = parsed
            }
            let permitted = try await list(staff, kind: kind, region: parameters["region"].map(String.init), dependencies)
            return JSONBody.response(.ok, OrganisationListBody(organisations: permitted.map(OrganisationBody.init)))
        }
        group.get(":kind/:id") { _, context -> Response in
            let staff = try context.requireStaff()
            let record = try await lookUp(context, dependencies)
            _ = try await decide(staff, "read", record.organisation, region: record.region, fields: ["name"], dependencies)
            return JSONBody.response(.ok, OrganisationBody(record))
        }
        group.put(":kind/:id/profile") { request, context -> Response in
            let staff = try context.requireStaff()
            let body = try await JSONBody.decode(ProfileBody.self, from: request, limit: maximumRequestBytes)
            let record = try await lookUp(context, dependencies)
            let decision = try await decide(
                staff, "update", record.organisation, region: record.region, fields: ["name", "address", "profile"], dependencies)
            let updated = try await dependencies.registry.updateProfile(
                record.organisation, name: body.name, address: body.address, profile: body.profile ?? "", by: registrar(staff),
                policyVersion: decision.policyVersion.digest)
            return JSONBody.response(.ok, OrganisationBody(updated))
        }
    }

    /// Registers `registration` for `staff`, as `POST /v1/organisations` does (and the
    /// coordinator's registration page): the policy decides `create` (a denial audited, `403`),
    /// then the hierarchy (the operator registers regions, a coordinator schools and venues of its
    /// own region; else audited as `registry.hierarchy` and `403`), then the registry checks every
    /// field and records the organisation with its `organisation.changed` record.
    public static func register(
        _ staff: StaffSession, _ registration: OrganisationRegistration, _ dependencies: Dependencies
    ) async throws -> OrganisationRecord {
        let decision = try await decide(
            staff, "create", registration.organisation, region: registration.region, fields: ["name", "address"], dependencies)
        let registrar = registrar(staff)
        guard registrar.mayRegister(registration.organisation.kind, in: registration.region) else {
            try await deny(staff, "create", rule: "registry.hierarchy", version: decision.policyVersion.digest, dependencies)
        }
        return try await dependencies.registry.register(registration, by: registrar, policyVersion: decision.policyVersion.digest)
    }

    /// The organisations `staff` may see, as `GET /v1/organisations?kind=&region=` lists them: the
    /// operator all (of `region` when given), a coordinator its own region's (another region is
    /// `403`, audited), a school or venue itself, each kept only when the policy permits reading
    /// it; any other role `403` (audited).
    public static func list(
        _ staff: StaffSession, kind: OrganisationKind?, region: String?, _ dependencies: Dependencies
    ) async throws -> [OrganisationRecord] {
        var region = region
        var records: [OrganisationRecord]
        switch staff.role {
        case .operator_:
            records = try await dependencies.registry.list(kind: kind, region: region)
        case .regionalCoordinator:
            guard let own = staff.region, region == nil || region == own else {
                let version = dependencies.policies.current.version.digest
                try await deny(staff, "read", rule: "registry.own-region-only", version: version, dependencies)
            }
            region = own
            records = try await dependencies.registry.list(kind: kind, region: region)
        case .school, .venue:
            records = try await dependencies.registry.find(staff.organisation).map { [$0] } ?? []
            if let kind { records = records.filter { $0.organisation.kind == kind } }
        default:
            let version = dependencies.policies.current.version.digest
            try await deny(staff, "read", rule: "registry.no-listing", version: version, dependencies)
        }
        var permitted: [OrganisationRecord] = []
        let principal = try staff.principal(schema: dependencies.policies.current.schema)
        for record in records
        where await decision(principal, "read", record.organisation, region: record.region, fields: ["name"], dependencies).isAllowed {
            permitted.append(record)
        }
        return permitted
    }

    static func registrar(_ staff: StaffSession) -> Registrar {
        Registrar(actor: staff.actor, organisation: staff.organisation, region: staff.region)
    }

    /// The organisation named by the path, or `404 organisation-not-found`.
    static func lookUp(_ context: BiletRequestContext, _ dependencies: Dependencies) async throws -> OrganisationRecord {
        guard let kind = context.parameters.get("kind").flatMap(OrganisationKind.init(rawValue:)),
              let id = context.parameters.get("id").flatMap(OrganisationID.init)
        else { throw OrganisationsError(.notFound, "no organisation has this kind and id") }
        guard let record = try await dependencies.registry.find(Organisation(kind: kind, id: id)) else {
            throw OrganisationsError(.notFound, "no organisation has this kind and id")
        }
        return record
    }

    /// The policy resource of an organisation's profile: a school or venue is its own entity (so
    /// `resource.organisation == principal.organisation` matches its staff); a region or the
    /// operator is an `organisation` entity named by its URI.
    static func resource(_ organisation: Organisation, region: String?) -> Resource {
        var attributes: [String: Value] = [:]
        switch organisation.kind {
        case .school, .venue: attributes["organisation"] = .entity(EntityRef(organisation.kind.rawValue, organisation.id.value))
        case .region, .operator: attributes["organisation"] = .entity(EntityRef("organisation", OrganisationRecord.uri(organisation)))
        }
        if let region { attributes["region"] = .entity(EntityRef("region", region)) }
        return Resource(type: "organisation_profile", id: OrganisationRecord.uri(organisation), attributes: attributes)
    }

    static func decision(
        _ principal: Policy.Principal, _ action: String, _ organisation: Organisation, region: String?, fields: [String],
        _ dependencies: Dependencies
    ) async -> Decision {
        await dependencies.policies.decide(
            PolicyRequest(
                principal: principal, action: action, resource: resource(organisation, region: region), fields: fields,
                purpose: purpose, time: Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))),
            relationships: InMemoryRelationships())
    }

    /// The policy's permit for `staff`; a denial is audited and thrown as `403 forbidden`.
    static func decide(
        _ staff: StaffSession, _ action: String, _ organisation: Organisation, region: String?, fields: [String],
        _ dependencies: Dependencies
    ) async throws -> Decision {
        guard
            let decision = try await staff.permit(
                action, on: resource(organisation, region: region), fields: fields, purpose: purpose, policies: dependencies.policies,
                recordDenial: dependencies.registry.recordDenial)
        else { throw OrganisationsError(.forbidden, "refused") }
        return decision
    }

    /// Audits a refusal and throws `403 forbidden`.
    static func deny(_ staff: StaffSession, _ action: String, rule: String?, version: String, _ dependencies: Dependencies) async throws -> Never {
        try await dependencies.registry.recordDenial(
            PolicyDecided(
                actor: staff.actor, decision: .deny, purpose: purpose, action: action, resource: "organisation_profile", rule: rule,
                policyVersion: version))
        throw OrganisationsError(.forbidden, "refused")
    }
}
