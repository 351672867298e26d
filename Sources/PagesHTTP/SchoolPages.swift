import Accounts
import AccountsHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import PupilImport
import RecommendationsHTTP
import VaultDoor
import VaultHTTP

/// The school staff's pages behind the page session, one file each: registering a pupil
/// (`SchoolPages+Registration.swift`), the CSV import, the pupils lacking a consent, a pupil's
/// consents and scans, navigators, the KPI. Each calls what the matching `/v1/` route calls (the
/// vault's door as the session's ``DoorCaller``, ``PupilImportCall``, `StaffRoutes.accounts`,
/// `KPIDesk`), so the vault decides, checks and audits as for the API.
enum SchoolPages {
    /// Adds the school's pages (all but the KPI, which needs the modules) to `pages`.
    static func add(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, door: VaultDoorClient, staff administration: StaffRoutes.Dependencies) {
        addConsentGaps(to: pages, kit, door: door)
        addImport(to: pages, kit, door: door)
        addConsents(to: pages, kit, door: door, staff: administration)
        addNavigators(to: pages, kit, door: door)
        addRegistration(to: pages, kit, door: door)
    }

    /// The answer to another role on a school's page (the vault would refuse the action anyway).
    static func notForRole(_ kit: PageKit, _ staff: StaffSession) -> Response {
        kit.errorPage(.forbidden, "Эта страница для сотрудников школы.", staff: staff)
    }
}
