import Accounts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import VaultDoor
import VaultHTTP

extension OfficerPages {
    /// The open subject-access requests of every school, the overdue ones marked
    /// (`GET /app/access-requests`): the door call of `GET /v1/access-requests?status=open`; the
    /// vault decides each row for `audit_review` and audits each pupil listed.
    static func addAccessRequests(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, door: VaultDoorClient) {
        pages.get("access-requests") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .complianceOfficer else { return notForRole(kit, staff) }
            let answer: VaultDoorResponse
            do throws(Problem) {
                answer = try await DoorCalls.call(door, .records(.accessRequests(status: "open"), caller: DoorCalls.caller(for: staff)))
            } catch {
                return kit.errorPage(error, staff: staff)
            }
            guard case .records(.accessRequests(let requests)) = answer else { return kit.errorPage(Problem.internalError, staff: staff) }
            let rows = requests.map {
                AccessRequestsPage.Row(
                    request: $0.request, pupil: $0.pupil, school: $0.school, receivedOn: $0.receivedOn, deadline: $0.deadline,
                    status: $0.status, requesterKind: $0.requesterKind)
            }
            return try kit.page(
                .accessRequests, staff: staff,
                values: [
                    "requests": rows, "hasRequests": !rows.isEmpty, "count": rows.count, "overdueCount": rows.filter(\.overdue).count,
                ])
        }
    }
}
