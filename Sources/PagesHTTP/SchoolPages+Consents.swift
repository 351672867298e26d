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
    /// A pupil's consents (the door call of `GET /v1/pupils/{token}/consents`) and attaching a
    /// consent's scan (that of `PUT /v1/pupils/{token}/consents/{consent}/scan`; the type is
    /// named from the file's first bytes, and the vault checks the bytes and the size again).
    /// Another school's pupil answers as an unknown one (`404`).
    static func addConsents(
        to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, door: VaultDoorClient, staff administration: StaffRoutes.Dependencies
    ) {
        @Sendable func consentsPage(_ staff: StaffSession, pupil: String, notice: String?) async throws -> Response {
            let caller = DoorCalls.caller(for: staff)
            let consents: [ConsentSummary]
            let assignments: [NavigatorAssignmentSummary]
            do throws(Problem) {
                guard case .records(.consents(let found)) = try await DoorCalls.call(door, .records(.consents(of: pupil), caller: caller)),
                    case .navigators(.assignments(let assigned)) = try await DoorCalls.call(door, .navigators(.list(pupil: pupil), caller: caller))
                else { return kit.errorPage(Problem.internalError, staff: staff) }
                (consents, assignments) = (found, assigned)
            } catch {
                return kit.errorPage(error, staff: staff)
            }
            let navigators = try await StaffRoutes.accounts(of: staff, administration).filter { $0.role == .navigator && $0.status == .active }
            let logins = Dictionary(navigators.map { ($0.id, $0.login) }, uniquingKeysWith: { first, _ in first })
            return try kit.page(
                .pupilConsents, staff: staff,
                values: [
                    "pupil": pupil, "attached": notice == "attached", "assigned": notice == "assigned", "ended": notice == "ended",
                    "assignments": assignments.map {
                        NavigatorChoice.Assignment(navigator: $0.navigator, name: logins[$0.navigator] ?? $0.navigator, validUntil: $0.validUntil)
                    },
                    "hasAssignments": !assignments.isEmpty,
                    "navigators": navigators.map { NavigatorChoice.Option(id: $0.id, login: $0.login) }, "hasNavigators": !navigators.isEmpty,
                    "consents": consents.map {
                        PupilConsentsPage.Consent(consent: $0.consent, purpose: $0.scope, status: $0.status, signedOn: $0.signedOn, scan: $0.scan)
                    },
                ])
        }
        pages.get("pupils/:token/consents") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .school else { return notForRole(kit, staff) }
            let notice = request.uri.queryParameters["done"].map(String.init)
            return try await consentsPage(staff, pupil: try context.parameters.require("token"), notice: notice)
        }
        pages.post("pupils/:token/consents/:consent/scan") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .school else { return notForRole(kit, staff) }
            let pupil = try context.parameters.require("token")
            let consent = try context.parameters.require("consent")
            let back = "/app/pupils/\(pupil)/consents"
            guard let file = try await CSRFMiddleware.multipart(request)?.part("file"), !file.content.isEmpty else {
                return kit.errorPage(.badRequest, "Выберите файл скана.", staff: staff, back: back)
            }
            guard let mediaType = ScanType.named(by: file.content) else {
                return kit.errorPage(.unprocessableContent, PageMessages.byCode["document-rejected"]!, staff: staff, back: back)
            }
            do throws(Problem) {
                _ = try await DoorCalls.call(
                    door,
                    .records(
                        .attachScan(pupil: pupil, consent: consent, mediaType: mediaType, content: Data(file.content).base64EncodedString()),
                        caller: DoorCalls.caller(for: staff)))
            } catch {
                return kit.errorPage(error, staff: staff, back: back)
            }
            return PageKit.redirect(back + "?done=attached")
        }
    }
}
