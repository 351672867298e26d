public import Accounts
import Audit
import Foundation
public import Gateway
public import Hummingbird
import HTTPTypes
public import Incidents
public import Policy

/// The incident register's routes (`/v1/incidents…`; 152-FZ art. 21 part 3.1), behind a staff
/// session and the policy engine (resource `incident`, purpose `incident_response`: security
/// administrators and compliance officers; everyone else is refused):
///
/// - `POST /v1/incidents` `{discovered_at, kind, description, scope: {from, until, actor?,
///   certificate?, organisation?}}`: records a breach; `201` with the incident, its deadlines and
///   the data subjects (vault tokens) and organisations its scope selects in the audit log.
/// - `GET /v1/incidents`: every incident with its two deadlines, each `due`, `overdue` or `sent`
///   by the database's clock.
/// - `GET /v1/incidents/{id}`: one incident with its affected subjects and organisations.
/// - `PATCH /v1/incidents/{id}` `{status?, description?, first_notice_sent?, results_sent?}`.
/// - `GET /v1/incidents/{id}/notices`: the two notices to Roskomnadzor, in Russian.
///
/// The policy decides before anything is read or parsed; a refusal is audited (`policy.decided`,
/// `deny`) and answered `403 forbidden`, so an unknown id tells a refused caller nothing. Every
/// change is audited (`incident.changed`) in the transaction that makes it.
public enum IncidentRoutes {
    /// The purpose every request of these routes is made for.
    public static let purpose = "incident_response"
    /// The largest body accepted, in bytes.
    public static let maximumRequestBytes = 16 * 1024

    /// What the routes need.
    public struct Dependencies: Sendable {
        public let sessions: StaffSessions
        public let policies: PolicyStore
        public let register: IncidentRegister

        /// Collects the dependencies: the staff sessions (`bilet_accounts`), the policies, and the
        /// register (`bilet_gateway`).
        public init(sessions: StaffSessions, policies: PolicyStore, register: IncidentRegister) {
            self.sessions = sessions
            self.policies = policies
            self.register = register
        }
    }

    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>, _ dependencies: Dependencies) {
        let group = router.group("/v1/incidents").add(middleware: StaffSessionMiddleware(sessions: dependencies.sessions))
        group.post { request, context -> Response in
            let staff = try context.requireStaff()
            let decision = try await decide(staff, "create", id: nil, dependencies)
            let body = try await JSONBody.decode(IncidentReportBody.self, from: request, limit: maximumRequestBytes)
            let (record, impact) = try await dependencies.register.record(
                try body.report(), by: staff.actor, policyVersion: decision.policyVersion.digest)
            return JSONBody.response(.created, IncidentBody(record, impact))
        }
        group.get { _, context -> Response in
            let staff = try context.requireStaff()
            _ = try await decide(staff, "read", id: nil, dependencies)
            let records = try await dependencies.register.list()
            return JSONBody.response(.ok, IncidentListBody(incidents: records.map { IncidentBody($0) }))
        }
        group.get(":id") { _, context -> Response in
            let staff = try context.requireStaff()
            let id = try incidentID(context)
            _ = try await decide(staff, "read", id: id, dependencies)
            let (record, impact) = try await find(id, dependencies)
            return JSONBody.response(.ok, IncidentBody(record, impact))
        }
        group.patch(":id") { request, context -> Response in
            let staff = try context.requireStaff()
            let id = try incidentID(context)
            let decision = try await decide(staff, "update", id: id, dependencies)
            let body = try await JSONBody.decode(IncidentUpdateBody.self, from: request, limit: maximumRequestBytes)
            let record = try await dependencies.register.update(
                id, try body.update(), by: staff.actor, policyVersion: decision.policyVersion.digest)
            return JSONBody.response(.ok, IncidentBody(record))
        }
        group.get(":id/notices") { _, context -> Response in
            let staff = try context.requireStaff()
            let id = try incidentID(context)
            _ = try await decide(staff, "read", id: id, dependencies)
            let (record, impact) = try await find(id, dependencies)
            return JSONBody.response(.ok, IncidentNoticesBody(record, IncidentNotices(record, impact)))
        }
    }

    /// The path's incident id; anything that is not one is `404 incident-not-found`.
    static func incidentID(_ context: BiletRequestContext) throws(IncidentsError) -> String {
        guard let id = context.parameters.get("id"), id.wholeMatch(of: /inc_[A-Za-z0-9_-]{22}/) != nil else {
            throw IncidentsError(.notFound, "no incident has this id")
        }
        return id
    }

    static func find(_ id: String, _ dependencies: Dependencies) async throws(IncidentsError) -> (IncidentRecord, IncidentImpact) {
        guard let found = try await dependencies.register.find(id) else { throw IncidentsError(.notFound, "no incident has this id") }
        return found
    }

    /// The policy's permit for `staff`; a denial is audited and thrown as `403 forbidden`.
    static func decide(_ staff: StaffSession, _ action: String, id: String?, _ dependencies: Dependencies) async throws -> Decision {
        guard
            let decision = try await staff.permit(
                action, on: Resource(type: "incident", id: id ?? "register", attributes: [:]), purpose: purpose,
                policies: dependencies.policies, recordDenial: dependencies.register.recordDenial)
        else { throw IncidentsError(.forbidden, "refused") }
        return decision
    }
}
