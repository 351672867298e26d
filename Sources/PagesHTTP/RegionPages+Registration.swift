import Accounts
import AccountsHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Identity
import Organisations
import OrganisationsHTTP
import Pages

extension RegionPages {
    /// The coordinator registers a school or venue of its region and creates its first account:
    ///
    /// - `GET /app/region/organisations/new`, `POST /app/region/organisations`: the form
    ///   (``OrganisationForm``: each refused value next to its field, `422`, nothing stored), then
    ///   `OrganisationRoutes.register`, what `POST /v1/organisations` runs (the policy, the
    ///   hierarchy, the registry's checks and its `organisation.changed` record); a refusal of the
    ///   registry next to its field (ИНН, ОГРН, an organisation registered already `409`) or above
    ///   the form; `303` to the new account's form for the organisation.
    /// - `GET /app/region/staff/new?organisation=school/77-0001`, `POST /app/region/staff`: the
    ///   form (``StaffAccountForm``: one of the region's schools and venues, a login), then
    ///   `StaffRoutes.create`, what `POST /v1/staff` runs, with the organisation's own role; `201`
    ///   with the login and the activation code, shown this once (the answer is `no-store`, the
    ///   code is never in an address); a login taken `409` next to its field.
    static func addRegistration(
        to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ organisations: OrganisationRoutes.Dependencies,
        staff administration: StaffRoutes.Dependencies
    ) {
        @Sendable func registrationPage(_ staff: StaffSession, form: CheckedForm, status: HTTPResponse.Status = .ok) throws -> Response {
            try kit.page(.regionOrganisationNew, status: status, staff: staff, values: ["form": form, "region": staff.region ?? ""])
        }
        /// The region's schools and venues to choose from, as `GET /v1/organisations` lists them.
        @Sendable func choices(_ staff: StaffSession) async throws -> [EventForm.Choice] {
            try await OrganisationRoutes.list(staff, kind: nil, region: nil, organisations)
                .filter { $0.organisation.kind == .school || $0.organisation.kind == .venue }
                .sorted { ($0.organisation.kind.rawValue, $0.organisation.id.value) < ($1.organisation.kind.rawValue, $1.organisation.id.value) }
                .map { record in
                    let kind = record.organisation.kind == .school ? "школа" : "площадка"
                    return EventForm.Choice(
                        value: "\(record.organisation.kind.rawValue)/\(record.organisation.id.value)",
                        label: "\(kind) \(record.organisation.id.value) — \(record.name)")
                }
        }
        pages.get("region/organisations/new") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .regionalCoordinator else { return kit.notForRole(staff, whose) }
            return try registrationPage(staff, form: CheckedForm(OrganisationForm.sections))
        }
        pages.post("region/organisations") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .regionalCoordinator else { return kit.notForRole(staff, whose) }
            let values = try await CSRFMiddleware.form(request)
            switch OrganisationForm.check(values, region: staff.region ?? "") {
            case .invalid(let form):
                return try registrationPage(staff, form: form, status: .unprocessableContent)
            case .valid(let registration):
                do {
                    _ = try await OrganisationRoutes.register(staff, registration, organisations)
                } catch let error as OrganisationsError
                    where [.invalidINN, .invalidOGRN, .alreadyRegistered, .unknownRegion, .invalidArgument].contains(error.code)
                {
                    var form = CheckedForm(OrganisationForm.sections, values: values)
                    let message = PageMessages.message(for: error.problem)
                    switch error.code {
                    case .invalidINN: form.refuse("inn", message)
                    case .invalidOGRN: form.refuse("ogrn", message)
                    case .alreadyRegistered: form.refuse("id", message)
                    default: form.message = message
                    }
                    return try registrationPage(staff, form: form, status: error.problem.status)
                } catch {
                    return try kit.refusal(error, staff: staff, back: "/app/region/organisations/new")
                }
                let organisation = registration.organisation
                return PageKit.redirect("/app/region/staff/new?organisation=\(organisation.kind.rawValue)/\(organisation.id.value)&done=registered")
            }
        }
        pages.get("region/staff/new") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .regionalCoordinator else { return kit.notForRole(staff, whose) }
            let organisations: [EventForm.Choice]
            do {
                organisations = try await choices(staff)
            } catch {
                return try kit.refusal(error, staff: staff)
            }
            let query = request.uri.queryParameters
            let chosen = query["organisation"].map(String.init) ?? ""
            var values: [String: Any] = [
                "form": CheckedForm(StaffAccountForm.sections(organisations: organisations), values: FormValues(["organisation": chosen]))
            ]
            if query["done"] == "registered" { values["registered"] = "Организация зарегистрирована. Создайте её первую учётную запись." }
            return try kit.page(.regionStaffNew, staff: staff, values: values)
        }
        pages.post("region/staff") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .regionalCoordinator else { return kit.notForRole(staff, whose) }
            let values = try await CSRFMiddleware.form(request)
            let organisations: [EventForm.Choice]
            do {
                organisations = try await choices(staff)
            } catch {
                return try kit.refusal(error, staff: staff)
            }
            let sections = StaffAccountForm.sections(organisations: organisations)
            switch StaffAccountForm.check(values, organisations: organisations, login: AccountStore.normalisedLogin) {
            case .invalid(let form):
                return try kit.page(.regionStaffNew, status: .unprocessableContent, staff: staff, values: ["form": form])
            case .valid(let account):
                // The role a coordinator grants is the organisation's own: a school's or a venue's.
                let role: StaffRole = account.organisation.hasPrefix("venue/") ? .venue : .school
                let issued: IssuedActivationCode
                do {
                    issued = try await StaffRoutes.create(
                        staff, login: account.login, role: role, organisation: account.organisation, region: nil, administration)
                } catch let error as AccountsError where [.loginTaken, .invalidArgument, .roleMismatch].contains(error.code) {
                    var form = CheckedForm(sections, values: values)
                    let message = PageMessages.message(for: error.problem)
                    if error.code == .loginTaken { form.refuse("login", message) } else { form.message = message }
                    return try kit.page(.regionStaffNew, status: error.problem.status, staff: staff, values: ["form": form])
                } catch {
                    return try kit.refusal(error, staff: staff, back: "/app/region/staff/new")
                }
                return try kit.page(
                    .regionStaffCreated, status: .created, staff: staff,
                    values: [
                        "login": account.login, "organisation": "bilet://\(account.organisation)", "activationCode": issued.code.text,
                        "expires": RussianFormat.moscowDateTime(issued.expiresAt),
                    ])
            }
        }
    }
}
