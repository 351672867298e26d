import Accounts
import Foundation
import Gateway
import Hummingbird
import Pages
import VaultDoor
import VaultHTTP

extension SchoolPages {
    /// `POST /app/pupils/{token}/activation-code`: a new activation code of the pupil's own account,
    /// through ``PupilRoutes/issueActivationCode(pupil:as:door:accounts:)`` as
    /// `POST /v1/pupils/{token}/activation-code` (the vault confirms the pupil is the school's, the
    /// accounts issue and audit the code; the previous code dies). The code is shown once, on the
    /// answer to the post (`201`, `Cache-Control: no-store` as every page), never in an address and
    /// never logged; reloading the pupil's page does not show it again.
    static func addActivationCode(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, door: VaultDoorClient, accounts: PupilAccounts) {
        pages.post("pupils/:token/activation-code") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .school else { return notForRole(kit, staff) }
            let pupil = try context.parameters.require("token")
            let issued: IssuedActivationCode
            do {
                issued = try await PupilRoutes.issueActivationCode(pupil: pupil, as: staff, door: door, accounts: accounts)
            } catch {
                return try kit.refusal(error, staff: staff, back: "/app/pupils/\(pupil)/consents")
            }
            return try kit.page(
                .pupilActivationCode, status: .created, staff: staff,
                values: ["pupil": pupil, "code": issued.code.text, "expires": RussianFormat.dateTime(issued.expiresAt)])
        }
    }
}
