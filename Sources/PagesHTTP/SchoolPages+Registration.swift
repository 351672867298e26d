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

/// Registering a pupil (`GET /app/pupils/new`, `POST /app/pupils`), through the very door call of
/// `POST /v1/pupils` (``DoorCalls``, the session's ``DoorCaller``): the vault decides, checks and
/// audits as for the API.
///
/// The form is checked first with the import's rules (``PupilRegistrationPage``), each refusal in
/// Russian next to its field (`422`); the vault checks again, and its refusal is shown above the
/// form with the API's status. The receipt names the pupil by its token only.
extension SchoolPages {
    /// The registration form and its submission.
    static func addRegistration(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, door: VaultDoorClient) {
        pages.get("pupils/new") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .school else { return notForRole(kit, staff) }
            return try kit.page(.pupilNew, staff: staff, values: ["form": CheckedForm(PupilRegistrationPage.sections)])
        }
        pages.post("pupils") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .school else { return notForRole(kit, staff) }
            let values = try await CSRFMiddleware.form(request)
            let pupil: ImportedPupil
            let pupilSigned: Bool
            switch PupilRegistrationPage.check(values, today: PupilImportFile.today()) {
            case .invalid(let form):
                return try kit.page(.pupilNew, status: .unprocessableContent, staff: staff, values: ["form": form])
            case .valid(let checked, let signed):
                (pupil, pupilSigned) = (checked, signed)
            }
            let registration = PupilRegistrationForm(
                pupil: [
                    "surname": pupil.surname, "first_name": pupil.firstName, "patronymic": pupil.patronymic, "birth_date": pupil.birthDate,
                    "grade": pupil.grade, "class": pupil.schoolClass, "snils": pupil.snils,
                ].compactMapValues { $0 },
                guardian: [
                    "surname": pupil.guardianSurname, "first_name": pupil.guardianFirstName, "patronymic": pupil.guardianPatronymic,
                    "relation": pupil.guardianRelation, "phone": pupil.guardianPhone,
                ].compactMapValues { $0 },
                consentNumber: pupil.consentNumber, consentSignedOn: pupil.consentSignedOn, pupilAlsoSigned: pupilSigned,
                otherPurposes: pupil.consentPurposes)
            let answer: VaultDoorResponse
            do throws(Problem) {
                answer = try await DoorCalls.call(door, .pupils(.register(registration), caller: DoorCalls.caller(for: staff)))
            } catch where [.conflict, .unprocessableContent].contains(error.status) {
                var form = CheckedForm(PupilRegistrationPage.sections, values: values)
                form.message = PageMessages.message(for: error)
                return try kit.page(.pupilNew, status: error.status, staff: staff, values: ["form": form])
            } catch {
                return kit.errorPage(error, staff: staff, back: "/app/pupils/new")
            }
            guard case .pupils(.registered(let token, _, let consent)) = answer else { return kit.errorPage(Problem.internalError, staff: staff) }
            return try kit.page(.pupilRegistered, status: .created, staff: staff, values: ["pupil": token, "consent": consent])
        }
    }
}
