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
    /// The pupils lacking a consent for `?purpose=` (``ConsentGapsPage/defaultPurpose`` when none):
    /// the door call of `GET /v1/pupils/lacking-consent`; the vault decides and audits each pupil listed.
    static func addConsentGaps(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, door: VaultDoorClient) {
        pages.get("pupils/lacking-consent") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .school else { return notForRole(kit, staff) }
            let purpose = request.uri.queryParameters["purpose"].map(String.init) ?? ConsentGapsPage.defaultPurpose
            guard ConsentGapsPage.isKnown(purpose) else {
                return kit.errorPage(.badRequest, "Такой цели обработки данных нет.", staff: staff, back: "/app/pupils/lacking-consent")
            }
            let answer: VaultDoorResponse
            do throws(Problem) {
                answer = try await DoorCalls.call(door, .records(.lackingConsent(purpose: purpose), caller: DoorCalls.caller(for: staff)))
            } catch {
                return kit.errorPage(error, staff: staff)
            }
            guard case .records(.consentGaps(let gaps)) = answer else { return kit.errorPage(Problem.internalError, staff: staff) }
            return try kit.page(
                .pupilsLackingConsent, staff: staff,
                values: [
                    "purposes": ConsentGapsPage.menu(current: purpose), "purposeLabel": ConsentGapsPage.label(purpose),
                    "pupils": gaps.map { ConsentGapsPage.Row(token: $0.pupil, status: ConsentGapsPage.status($0.status)) },
                    "hasPupils": !gaps.isEmpty, "count": gaps.count, "truncated": gaps.count >= ConsentGapsPage.listLimit,
                ])
        }
    }
}
