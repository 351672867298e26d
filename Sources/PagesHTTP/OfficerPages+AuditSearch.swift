import Accounts
import Audit
import AuditHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages

extension OfficerPages {
    /// The audit search (`GET /app/audit`, the empty form; `POST /app/audit`, the results): the
    /// filters of `GET /v1/audit/entries`, checked with a message next to each refused field
    /// (`422`), then ``AuditQueryService/query(_:)`` once the policy permits `read`. The filters
    /// travel in the form's body, never in the address.
    static func addAuditSearch(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, audit: AuditRoutes.Dependencies) {
        pages.get("audit") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .complianceOfficer else { return notForRole(kit, staff) }
            return try kit.page(.auditSearch, staff: staff, values: ["form": CheckedForm(AuditSearchPage.sections)])
        }
        pages.post("audit") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .complianceOfficer else { return notForRole(kit, staff) }
            let values = try await CSRFMiddleware.form(request)
            let criteria: AuditSearchPage.Criteria
            switch AuditSearchPage.check(
                values, isToken: AuditPatterns.isToken, isIdentifier: AuditPatterns.isIdentifier, isEventType: AuditPatterns.isCode)
            {
            case .invalid(let form):
                return try kit.page(.auditSearch, status: .unprocessableContent, staff: staff, values: ["form": form])
            case .valid(let checked):
                criteria = checked
            }
            let query = AuditQuery(
                subject: criteria.subject, actor: criteria.actor, type: criteria.type, decision: criteria.decision,
                from: criteria.from.flatMap(AuditTime.parse), to: criteria.toExclusive.flatMap(AuditTime.parse), limit: criteria.limit)
            let entries: [AuditEntry]
            do {
                entries = try await AuditRoutes.authorize(staff, action: "read", audit).query(query)
            } catch let error as any HTTPProblemConvertible {
                return kit.errorPage(error.problem, staff: staff, back: "/app/audit")
            }
            return try kit.page(
                .auditSearch, staff: staff,
                values: [
                    "form": AuditSearchPage.form(values), "searched": true, "count": entries.count,
                    "hasEntries": !entries.isEmpty, "truncated": entries.count >= criteria.limit, "entries": entries.map(row),
                ])
        }
    }
}
