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
    /// Assigning one of the school's navigators to a pupil and ending an assignment: the door calls
    /// of `POST /v1/pupils/{token}/navigators` and `DELETE …/navigators/{navigator}`; the vault
    /// decides (the school's own pupil and navigator) and audits.
    static func addNavigators(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, door: VaultDoorClient) {
        @Sendable func change(_ context: BiletRequestContext, _ make: (String) -> NavigatorDoorRequest, done: String) async throws -> Response {
            let staff = try context.requireStaff()
            guard staff.role == .school else { return notForRole(kit, staff) }
            let pupil = try context.parameters.require("token")
            let back = "/app/pupils/\(pupil)/consents"
            do throws(Problem) {
                _ = try await DoorCalls.call(door, .navigators(make(pupil), caller: DoorCalls.caller(for: staff)))
            } catch {
                return kit.errorPage(error, staff: staff, back: back)
            }
            return PageKit.redirect(back + "?done=" + done)
        }
        pages.post("pupils/:token/navigators") { request, context -> Response in
            let navigator = try await CSRFMiddleware.form(request)["navigator"] ?? ""
            return try await change(context, { .assign(pupil: $0, navigator: navigator) }, done: "assigned")
        }
        pages.post("pupils/:token/navigators/:navigator/end") { _, context -> Response in
            let navigator = try context.parameters.require("navigator")
            return try await change(context, { .end(pupil: $0, navigator: navigator) }, done: "ended")
        }
    }
}
