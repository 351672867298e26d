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

/// The school staff's pages behind the page session: registering a pupil (`GET /app/pupils/new`,
/// `POST /app/pupils`), through the very door call of `POST /v1/pupils` (``DoorCalls``, the
/// session's ``DoorCaller``): the vault decides, checks and audits as for the API.
///
/// The form is checked first with the import's rules (``PupilRegistrationPage``), each refusal in
/// Russian next to its field (`422`); the vault checks again, and its refusal is shown above the
/// form with the API's status. The receipt names the pupil by its token only.
enum SchoolPages {
    static func add(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, door: VaultDoorClient, staff administration: StaffRoutes.Dependencies) {
        addConsentGaps(to: pages, kit, door: door)
        addImport(to: pages, kit, door: door)
        addConsents(to: pages, kit, door: door, staff: administration)
        addNavigators(to: pages, kit, door: door)
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
                consentNumber: pupil.consentNumber, consentSignedOn: pupil.consentSignedOn, pupilAlsoSigned: pupilSigned)
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
                        ConsentGapsPage.Consent(consent: $0.consent, purpose: $0.scope, status: $0.status, signedOn: $0.signedOn, scan: $0.scan)
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

    /// The school's own KPI (`GET /v1/kpi?scope=school&id=<own school>`'s `KPIDesk.report`): twelve
    /// months of five figures, each under 5 shown only as «<5».
    static func addKPI(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, desk: KPIDesk) {
        pages.get("kpi") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .school else { return notForRole(kit, staff) }
            let report: KPIReport
            do {
                report = try await desk.report(staff, scope: "school", id: staff.organisation.id.value)
            } catch let error as any HTTPProblemConvertible {
                return kit.errorPage(error.problem, staff: staff)
            }
            let months = report.months.map {
                KPIPage.Month(
                    month: $0.month,
                    figures: [$0.pupilsRegistered, $0.consentsCollected, $0.testsCompleted, $0.trialsAttended, $0.recommendationsDelivered]
                        .map(\.description))
            }
            return try kit.page(.kpi, staff: staff, values: ["months": months, "threshold": SuppressedCount.threshold])
        }
    }

    /// The answer to another role on a school's page (the vault would refuse the action anyway).
    static func notForRole(_ kit: PageKit, _ staff: StaffSession) -> Response {
        kit.errorPage(.forbidden, "Эта страница для сотрудников школы.", staff: staff)
    }
}
