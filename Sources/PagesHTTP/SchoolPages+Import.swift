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
    /// The CSV import: the file form, and its result through ``PupilImportCall`` (what
    /// `POST /v1/pupils/import` runs): `200` with the count, or `422` with the refused rows as a table.
    static func addImport(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, door: VaultDoorClient) {
        pages.get("pupils/import") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .school else { return notForRole(kit, staff) }
            return try kit.page(.pupilImport, staff: staff)
        }
        pages.post("pupils/import") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .school else { return notForRole(kit, staff) }
            guard let file = try await CSRFMiddleware.multipart(request)?.part("file") else {
                return kit.errorPage(.badRequest, "Выберите файл со списком учеников.", staff: staff, back: "/app/pupils/import")
            }
            let outcome: PupilImportCall.Outcome
            do throws(Problem) {
                outcome = try await PupilImportCall.run(file.content, caller: DoorCalls.caller(for: staff), door: door)
            } catch {
                return kit.errorPage(error, staff: staff, back: "/app/pupils/import")
            }
            switch outcome {
            case .imported(let tokens):
                return try kit.page(.pupilImport, staff: staff, values: ["imported": true, "count": tokens.count])
            case .refused(let issues, let total):
                return try kit.page(
                    .pupilImport, status: .unprocessableContent, staff: staff,
                    values: [
                        "refused": true, "issues": PupilImportPage.rows(issues), "total": total, "shown": issues.count,
                        "truncated": issues.count < total,
                    ])
            }
        }
    }
}
