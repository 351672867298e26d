import Accounts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import RecommendationsHTTP

extension RegionPages {
    /// The five figures, in the table's order, with their Russian names.
    static let measures: [(title: String, figure: @Sendable (KPIMonth) -> SuppressedCount)] = [
        ("Зарегистрировано учеников", { $0.pupilsRegistered }), ("Собрано согласий", { $0.consentsCollected }),
        ("Пройдено тестов", { $0.testsCompleted }), ("Посещено проб", { $0.trialsAttended }),
        ("Выдано рекомендаций", { $0.recommendationsDelivered }),
    ]

    /// `GET /app/region/kpi`: the region's twelve months (`GET /v1/kpi?scope=region&id=<own>`'s
    /// `KPIDesk.report`), a chart per figure and the table, every figure under 5 as «<5».
    static func addKPI(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ desk: KPIDesk) {
        pages.get("region/kpi") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .regionalCoordinator, let region = staff.region else { return kit.notForRole(staff, whose) }
            let report: KPIReport
            do {
                report = try await desk.report(staff, scope: "region", id: region)
            } catch {
                return try kit.refusal(error, staff: staff)
            }
            let months = report.months.map { month in KPIPage.Month(month: month.month, figures: measures.map { $0.figure(month).description }) }
            let charts = measures.enumerated().map { index, measure in
                KPIChart(
                    id: "chart-\(index + 1)", title: measure.title,
                    months: zip(report.months, months).map { raw, shown -> (month: String, count: Int?) in
                        guard case .exactly(let count) = measure.figure(raw) else { return (shown.month, nil) }
                        return (shown.month, count)
                    })
            }
            return try kit.page(
                .regionKPI, staff: staff, values: ["months": months, "charts": charts, "threshold": SuppressedCount.threshold, "region": region])
        }
    }
}
