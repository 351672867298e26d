import Accounts
import Audit
import AuditHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages

extension OfficerPages {
    /// The most destructions the page lists (as one audit search).
    static let erasureListLimit = 10_000

    /// The destructions the audit log records (`GET /app/audit/erasures`): the audit search of
    /// `GET /v1/audit/entries?type=subject.erased` (``AuditQueryService/query(_:)`` once the policy
    /// permits `read`), newest first. The vault's own destruction register, with the method and the
    /// keep-until date, is `GET /app/erasure/register` (`OfficerPages+ErasureRegister.swift`).
    static func addErasures(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, audit: AuditRoutes.Dependencies) {
        pages.get("audit/erasures") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .complianceOfficer else { return notForRole(kit, staff) }
            let entries: [AuditEntry]
            do {
                entries = try await AuditRoutes.authorize(staff, action: "read", audit)
                    .query(AuditQuery(type: SubjectErased.type, limit: erasureListLimit))
            } catch let error as any HTTPProblemConvertible {
                return kit.errorPage(error.problem, staff: staff)
            }
            let rows = entries.reversed().map { entry in
                let fields = entry.fields
                let reason: String? = if case .string(let code)? = fields?["reason"] { code } else { nil }
                let categories: String? = if case .list(let names)? = fields?["categories"] { names.joined(separator: ", ") } else { nil }
                return ErasuresPage.Row(
                    time: RussianFormat.dateTimeSeconds(entry.recordedAt), subject: entry.subject, reason: reason, categories: categories,
                    actor: entry.actor)
            }
            return try kit.page(
                .erasures, staff: staff,
                values: ["erasures": rows, "hasErasures": !rows.isEmpty, "count": rows.count, "truncated": rows.count >= erasureListLimit])
        }
    }
}
