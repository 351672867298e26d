import Accounts
import AccountsHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Identity
import Organisations
import OrganisationsHTTP
import Pages
import RecommendationsHTTP
import Trials
import TrialsHTTP

/// The regional coordinator's pages behind the page session: the region's schools and venues
/// (`OrganisationRoutes.list`, what `GET /v1/organisations` runs), registering one and creating
/// its first account (`OrganisationRoutes.register` and `StaffRoutes.create`, what `POST
/// /v1/organisations` and `POST /v1/staff` run; `RegionPages+Registration.swift`), the events submitted for
/// approval with approving and returning them with a reason (`TrialsRoutes.events` and
/// `TrialsDesk.decide`, what `GET /v1/trials/events` and `POST …/approve|return` run), and the
/// region's KPI as server-drawn SVG charts with a table of the same figures (`KPIDesk.report`,
/// `GET /v1/kpi?scope=region`'s). The policy decides and the audit records as for the API.
enum RegionPages {
    static let whose = "регионального координатора"

    /// Adds the coordinator's pages whose services are served.
    static func add(
        to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, organisations: OrganisationRoutes.Dependencies?,
        trials: TrialsRoutes.Dependencies?, kpi: KPIDesk?, staff: StaffRoutes.Dependencies
    ) {
        if let organisations {
            addOrganisations(to: pages, kit, organisations)
            addRegistration(to: pages, kit, organisations, staff: staff)
        }
        if let trials { addEvents(to: pages, kit, trials) }
        if let kpi { addKPI(to: pages, kit, kpi) }
    }

    /// `GET /app/region/organisations`: the region's schools and venues.
    static func addOrganisations(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ dependencies: OrganisationRoutes.Dependencies) {
        pages.get("region/organisations") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .regionalCoordinator else { return kit.notForRole(staff, whose) }
            let records: [OrganisationRecord]
            do {
                records = try await OrganisationRoutes.list(staff, kind: nil, region: nil, dependencies)
            } catch {
                return try kit.refusal(error, staff: staff)
            }
            let rows = records.filter { $0.organisation.kind == .school || $0.organisation.kind == .venue }
                .sorted { ($0.organisation.kind.rawValue, $0.organisation.id.value) < ($1.organisation.kind.rawValue, $1.organisation.id.value) }
                .map {
                    OrganisationRow(
                        kind: $0.organisation.kind.rawValue, id: $0.organisation.id.value, name: $0.name, address: $0.address, inn: $0.inn,
                        agreementNumber: $0.agreement.number, signedOn: $0.agreement.signedOn)
                }
            return try kit.page(
                .regionOrganisations, staff: staff,
                values: ["organisations": rows, "hasOrganisations": !rows.isEmpty, "organisationCount": rows.count, "region": staff.region ?? ""])
        }
    }
}
