import Accounts
import Assessment
import AssessmentHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import VaultDoor
import VaultHTTP

/// The navigator's test page (`/app/navigator/tests`): the navigator's own pupils (all of them,
/// ``DoorCalls/assignedPupils(for:session:door:)`` with `assessment`: names released by the vault
/// per pupil for the purpose of assigning a test, under the pupil's assessment consent, audited;
/// nothing read for another purpose) and the published tests
/// (``AssessmentRoutes/versions(for:_:)``, `GET /v1/assessment/tests`'s), and assigning one
/// (``AssessmentRoutes/assign(pupil:test:version:due:as:_:)``, what `POST /v1/assessment/assignments`
/// runs: the vault releases the pupil's assessment token only for the navigator's own pupil with an
/// `assessment` consent; the store assigns and audits `assessment.assigned`). Another role is
/// refused (`403`) as the API refuses it, with the denial audited.
enum NavigatorTestPages {
    /// Adds `GET|POST /app/navigator/tests` to `pages`.
    static func add(
        to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, assessment: AssessmentRoutes.Dependencies
    ) {
        pages.get("navigator/tests") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .navigator else { return kit.notForRole(staff, whose) }
            return try await page(kit, staff, assessment)
        }
        pages.post("navigator/tests") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .navigator else {
                // the API's refusal of another role, audited as the API audits it
                do {
                    try await AssessmentRoutes.authoriseAssigning(staff, assessment)
                } catch {
                    return try kit.refusal(error, staff: staff, back: "/app/home")
                }
                return kit.notForRole(staff, whose)
            }
            let form = try await CSRFMiddleware.form(request)
            let pupil = form["pupil"] ?? ""
            let chosen = form["test"] ?? ""
            let test = NavigatorAssignmentPage.test(from: chosen)
            guard !pupil.isEmpty, let test else {
                var values: [String: Any] = [:]
                if pupil.isEmpty { values["pupilError"] = NavigatorAssignmentPage.choosePupil }
                if test == nil { values["testError"] = NavigatorAssignmentPage.chooseTest }
                return try await page(kit, staff, assessment, status: .unprocessableContent, values: values, pupil: pupil, test: chosen)
            }
            let outcome: (assignment: Assignment, created: Bool)
            do {
                outcome = try await AssessmentRoutes.assign(pupil: pupil, test: test.code, version: test.version, due: nil, as: staff, assessment)
            } catch {
                return try kit.refusal(error, staff: staff, back: "/app/navigator/tests")
            }
            let title = outcome.assignment.title
            return try await page(
                kit, staff, assessment, status: outcome.created ? .created : .ok,
                values: outcome.created ? ["assignedTitle": title, "assignedPupil": pupil] : ["alreadyTitle": title, "alreadyPupil": pupil])
        }
    }

    /// The page with the navigator's pupils and the published tests, `values` (a result, a
    /// refusal next to its field) and the choice kept after a refused post.
    static func page(
        _ kit: PageKit, _ staff: StaffSession, _ assessment: AssessmentRoutes.Dependencies,
        status: HTTPResponse.Status = .ok, values: [String: Any] = [:], pupil chosenPupil: String = "", test chosenTest: String = ""
    ) async throws -> Response {
        let named: [NavigatorPupilName]
        let versions: [TestVersion]
        do {
            named = try await DoorCalls.assignedPupils(for: .assessment, session: staff, door: assessment.door)
            versions = try await AssessmentRoutes.versions(for: staff, assessment)
        } catch {
            return try kit.refusal(error, staff: staff)
        }
        let pupils = named.map {
            NavigatorAssignmentPage.Pupil(
                token: $0.pupil, surname: $0.surname, firstName: $0.firstName, patronymic: $0.patronymic, selected: $0.pupil == chosenPupil)
        }
        let tests = versions.filter { $0.state == .published }.map {
            NavigatorAssignmentPage.Test(
                code: $0.code, version: $0.version, title: $0.title,
                selected: NavigatorAssignmentPage.value(code: $0.code, version: $0.version) == chosenTest)
        }
        return try kit.page(
            .navigatorTests, status: status, staff: staff,
            values: values.merging([
                "navigatorPupils": pupils, "hasNavigatorPupils": !pupils.isEmpty, "hasWithheldNames": pupils.contains(where: \.withheld),
                "navigatorTests": tests, "hasNavigatorTests": !tests.isEmpty,
            ]) { first, _ in first })
    }

    /// Whose page this is, in the refusal to another role.
    static let whose = "педагогов-навигаторов"
}
