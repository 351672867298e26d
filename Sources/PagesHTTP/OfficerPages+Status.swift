import Accounts
import Audit
import AuditHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages

extension OfficerPages {
    /// The log's verification status (`GET /app/audit/status`): the newest signed checkpoint
    /// (`GET /v1/audit/checkpoint`'s ``AuditQueryService/checkpoint()``, policy action `read`) and
    /// the completeness check of the UTC day before its day (`GET /v1/audit/gaps`'s
    /// ``AuditQueryService/gaps(from:to:)``, action `verify`), each decided and recorded as the API's.
    static func addStatus(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, audit: AuditRoutes.Dependencies) {
        pages.get("audit/status") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .complianceOfficer else { return notForRole(kit, staff) }
            let signed: SignedCheckpoint?
            let gaps: GapReport?
            do {
                signed = try await AuditRoutes.authorize(staff, action: "read", audit).checkpoint()
                if let time = signed?.checkpoint.time {
                    // The whole UTC day before the checkpoint's: its records are followed by the
                    // checkpoint's day's, so the window's end is provable once those are signed.
                    let dayStart = Date(timeIntervalSince1970: (time.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
                    gaps = try await AuditRoutes.authorize(staff, action: "verify", audit)
                        .gaps(from: dayStart.addingTimeInterval(-86_400), to: dayStart)
                } else {
                    gaps = nil
                }
            } catch let error as any HTTPProblemConvertible {
                return kit.errorPage(error.problem, staff: staff)
            }
            guard let signed, let gaps else { return try kit.page(.auditStatus, staff: staff, values: ["hasCheckpoint": false]) }
            let checkpoint = signed.checkpoint
            let problems = gaps.problems.map(\.description)
            return try kit.page(
                .auditStatus, staff: staff,
                values: [
                    "hasCheckpoint": true, "sequence": checkpoint.sequence.map(String.init) ?? "—",
                    "signedAt": checkpoint.time.map(RussianFormat.dateTimeSeconds) ?? "—", "size": checkpoint.size,
                    "root": checkpoint.root.hex, "origin": checkpoint.origin, "checkpoint": signed.serialized,
                    "verdictCode": gaps.verdict, "verdict": AuditStatusPage.verdict(gaps.verdict),
                    "windowFrom": RussianFormat.dateTimeSeconds(gaps.from), "windowTo": RussianFormat.dateTimeSeconds(gaps.to),
                    "eventCount": gaps.eventCount, "pendingCount": gaps.pendingCount, "problems": problems, "hasProblems": !problems.isEmpty,
                ])
        }
    }
}
