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

extension SchoolPages {
    /// The school's own KPI (`GET /v1/kpi?scope=school&id=<own school>`'s `KPIDesk.report`): twelve
    /// months of five figures, each under 5 shown only as «<5».
    static func addKPI(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, desk: KPIDesk) {
        pages.get("kpi") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .school else { return notForRole(kit, staff) }
            let report: KPIReport
            do {
                report = try await desk.report(staff, scope: "school", id: staff.organisation.id.value)
            } catch let error as any HTTPProblemConvertible {
                return kit.errorPage(error.problem, staff: staff)
            }
            let months = report.months.map {
                KPIPage.Month(
                    month: $0.month,
                    figures: [$0.pupilsRegistered, $0.consentsCollected, $0.testsCompleted, $0.trialsAttended, $0.recommendationsDelivered]
                        .map(\.description))
            }
            return try kit.page(.kpi, staff: staff, values: ["months": months, "threshold": SuppressedCount.threshold])
        }
    }
}
