import Accounts
import Audit
import AuditHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages

extension OfficerPages {
    /// The per-pupil access report, printable (`GET /app/audit/report?subject=<token>`): what
    /// `GET /v1/audit/report` answers, ``AuditQueryService/report(subject:)`` once the policy
    /// permits `read`. The pupil is named by token only; without one the page is the form
    /// (`POST /app/audit/report` checks it and goes to the report's address). The same report as a
    /// PDF download (`GET /app/audit/report/pdf?subject=<token>`, ``AccessReportPDF``), read and
    /// audited exactly as the page.
    static func addReport(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, audit: AuditRoutes.Dependencies) {
        let sections = [FormSection(legend: "Ученик", fields: [AuditSearchPage.sections[0].fields[0]])]
        pages.get("audit/report") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .complianceOfficer else { return notForRole(kit, staff) }
            guard let subject = request.uri.queryParameters["subject"].map(String.init) else {
                return try kit.page(.auditReport, staff: staff, values: ["form": CheckedForm(sections)])
            }
            guard AuditPatterns.isToken(subject) else {
                var form = CheckedForm(sections)
                form.refuse("subject", "Укажите идентификатор (например, sub_… из карточки ученика), а не имя или другой текст.")
                return try kit.page(.auditReport, status: .badRequest, staff: staff, values: ["form": form])
            }
            let report: SubjectReport
            do {
                report = try await AuditRoutes.authorize(staff, action: "read", audit).report(subject: subject)
            } catch let error as any HTTPProblemConvertible {
                return kit.errorPage(error.problem, staff: staff, back: "/app/audit/report")
            }
            let readers = report.readers
            return try kit.page(
                .auditReport, staff: staff,
                values: [
                    "hasReport": true, "subject": report.subject, "generated": RussianFormat.dateTime(Date()), "count": report.entries.count,
                    "hasEntries": !report.entries.isEmpty, "entries": report.entries.map(row), "readers": readers,
                    "hasReaders": !readers.isEmpty,
                ])
        }
        // Read once; without it (fonts-dejavu-core not installed) the PDF is refused, the page stays.
        let font = try? TrueTypeFont.load(path: AccessReportPDF.fontPath)
        pages.get("audit/report/pdf") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .complianceOfficer else { return notForRole(kit, staff) }
            guard let subject = request.uri.queryParameters["subject"].map(String.init), AuditPatterns.isToken(subject) else {
                return kit.errorPage(.badRequest, "Укажите ученика идентификатором (sub_…).", staff: staff, back: "/app/audit/report")
            }
            guard let font else {
                return kit.errorPage(.serviceUnavailable, "PDF сейчас недоступен; распечатайте страницу отчёта.", staff: staff, back: "/app/audit/report?subject=\(subject)")
            }
            let report: SubjectReport
            do {
                report = try await AuditRoutes.authorize(staff, action: "read", audit).report(subject: subject)
            } catch let error as any HTTPProblemConvertible {
                return kit.errorPage(error.problem, staff: staff, back: "/app/audit/report")
            }
            let bytes = AccessReportPDF.document(
                font: font, subject: report.subject, generated: RussianFormat.dateTime(Date()), role: RussianFormat.role(staff.role.rawValue),
                readers: report.readers, entries: report.entries.map(row))
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/pdf", .cacheControl: "no-store",
                    .contentDisposition: "attachment; filename=\"\(AccessReportPDF.fileName(subject: report.subject))\"",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        pages.post("audit/report") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .complianceOfficer else { return notForRole(kit, staff) }
            let values = try await CSRFMiddleware.form(request)
            let subject = (values["subject"] ?? "").trimmingCharacters(in: .whitespaces)
            guard AuditPatterns.isToken(subject) else {
                var form = CheckedForm(sections, values: values)
                form.refuse("subject", "Укажите идентификатор (например, sub_… из карточки ученика), а не имя или другой текст.")
                return try kit.page(.auditReport, status: .unprocessableContent, staff: staff, values: ["form": form])
            }
            return PageKit.redirect("/app/audit/report?subject=\(subject)")
        }
    }
}
