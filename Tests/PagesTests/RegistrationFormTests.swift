import Foundation
import Pages
import Testing
import Trials

/// The coordinator's forms registering a school or venue and creating its first account, and the
/// venue's forms editing an event and naming its mentor: each refused value with its Russian
/// message next to its field only, the valid ones read as the API takes them, a stored event
/// shown filled in and read back unchanged.
@Suite struct RegistrationFormTests {
    static let validOrganisation =
        "kind=school&id=77-0003&name=%D0%A8%D0%BA%D0%BE%D0%BB%D0%B0+%E2%84%96+3&address=%D0%B3.+%D0%A2%D0%B5%D1%81%D1%82%D0%BE%D0%B2"
        + "&inn=7700000016&ogrn=1027700000008&agreement_number=%D0%94%D0%9E%D0%9F-3&agreement_signed_on=01.09.2026"
        + "&agreement_signatory=%D0%A2%D0%B5%D1%81%D1%82%D0%BE%D0%B2%D0%B0+%D0%90."

    static func replacing(_ body: String, _ change: String) -> String {
        let name = String(change.split(separator: "=")[0])
        return body.split(separator: "&").filter { !$0.hasPrefix(name + "=") }.joined(separator: "&") + "&" + change
    }

    @Test func aValidOrganisationIsReadForTheCoordinatorsRegion() throws {
        guard case .valid(let registration) = OrganisationForm.check(FormValues(body: Self.validOrganisation), region: "77") else {
            Issue.record("refused")
            return
        }
        #expect(registration.organisation.kind == .school)
        #expect(registration.organisation.id.value == "77-0003")
        #expect(registration.region == "77")
        #expect(registration.name == "Школа № 3")
        #expect(registration.inn == "7700000016")
        #expect(registration.agreement.signedOn == "2026-09-01")
        #expect(registration.agreement.signatory == "Тестова А.")
        // A date input's YYYY-MM-DD is read the same.
        let iso = OrganisationForm.check(FormValues(body: Self.replacing(Self.validOrganisation, "agreement_signed_on=2026-09-01")), region: "77")
        #expect(iso == .valid(registration))
    }

    @Test("each refused organisation value has its message next to its field only", arguments: [
        ("kind=region", "kind", "Выберите, школа это или площадка."),
        ("id=-77", "id", "Латинские буквы, цифры и дефисы (не в начале и не в конце), до 32 символов."),
        ("id=77_3", "id", "Латинские буквы, цифры и дефисы (не в начале и не в конце), до 32 символов."),
        ("name=+", "name", "Заполните это поле."),
        ("name=a%01b", "name", "Без управляющих символов."),
        ("inn=12345", "inn", "ИНН — 10 цифр (12 у предпринимателя)."),
        ("inn=7700000017", "inn", "Контрольные цифры ИНН не сходятся: проверьте номер."),
        ("ogrn=10277000000", "ogrn", "ОГРН — 13 цифр (15 у ОГРНИП)."),
        ("ogrn=1027700000009", "ogrn", "Контрольная цифра ОГРН не сходится: проверьте номер."),
        ("agreement_number=", "agreement_number", "Заполните это поле."),
        ("agreement_signed_on=31.02.2026", "agreement_signed_on", "Введите дату в виде ДД.ММ.ГГГГ."),
        ("agreement_signatory=", "agreement_signatory", "Заполните это поле."),
    ])
    func eachRefusedOrganisationValue(_ change: String, _ field: String, _ message: String) throws {
        guard case .invalid(let form) = OrganisationForm.check(FormValues(body: Self.replacing(Self.validOrganisation, change)), region: "77") else {
            Issue.record("\(change) passed")
            return
        }
        #expect(form.error(field) == message)
        #expect(form.sections.flatMap(\.fields).filter { $0.error != nil }.map(\.name) == [field])
        let html = try PageRenderer().render(.regionOrganisationNew, frame: RolePageTests.frame("regional_coordinator"), values: ["form": form])
        #expect(html.contains(#"<p class="error" id="\#(field)-error">\#(message)</p>"#))
        #expect(html.contains(#"<form method="post" action="/app/region/organisations" novalidate>"#))
    }

    static let organisations = [EventForm.Choice(value: "school/77-0001", label: "школа 77-0001 — Школа № 1")]
    static func login(_ text: String) -> String? { text.contains(" ") ? nil : text.lowercased() }

    @Test func theFirstAccountNamesOneOfTheRegionsOrganisationsAndALogin() throws {
        let valid = StaffAccountForm.check(FormValues(body: "organisation=school%2F77-0001&login=School.One"), organisations: Self.organisations, login: Self.login)
        #expect(valid == .valid(StaffAccountForm.Account(organisation: "school/77-0001", login: "school.one")))
        guard case .invalid(let form) = StaffAccountForm.check(
            FormValues(body: "organisation=school%2F77-0009&login=a+b"), organisations: Self.organisations, login: Self.login)
        else {
            Issue.record("passed")
            return
        }
        #expect(form.error("organisation") == "Выберите школу или площадку из списка.")
        #expect(form.error("login") == "Только латинские буквы, цифры и . _ @ -, первой — буква или цифра, до 128 знаков.")
        guard case .invalid(let empty) = StaffAccountForm.check(FormValues(body: "organisation=school%2F77-0001&login="), organisations: Self.organisations, login: Self.login)
        else {
            Issue.record("passed")
            return
        }
        #expect(empty.error("login") == "Заполните это поле.")
        #expect(empty.error("organisation") == nil)
        let html = try PageRenderer().render(.regionStaffNew, frame: RolePageTests.frame("regional_coordinator"), values: ["form": form])
        #expect(html.contains(#"<option value="school/77-0001">школа 77-0001 — Школа № 1</option>"#))
        #expect(html.contains(#"<p class="error" id="login-error">"#))
    }

    @Test func theCreatedAccountsCodeIsShownAndTheListLinksTheAccountForm() throws {
        let renderer = try PageRenderer()
        let created = try renderer.render(.regionStaffCreated, frame: RolePageTests.frame("regional_coordinator"), values: PageSafetyTests.values())
        #expect(created.contains(#"<dt>Код активации</dt><dd><code id="activation-code">AAAA-BBBB-CCCC-DDDD-EEEE</code></dd>"#))
        #expect(!created.contains("<form method=\"post\" action=\"/app/region"))
        let list = try renderer.render(.regionOrganisations, frame: RolePageTests.frame("regional_coordinator"), values: PageSafetyTests.values())
        #expect(list.contains(#"<a href="/app/region/staff/new?organisation=school/77-0001">Создать учётную запись</a>"#))
        #expect(list.contains(#"<a class="button" href="/app/region/organisations/new">Зарегистрировать школу или площадку</a>"#))
    }

    static let places = [EventForm.Choice(value: "3", label: "Мастерская")]
    static let mentors = [EventForm.Choice(value: "usr_M", label: "mentor.one")]

    @Test func aStoredEventIsShownFilledInAndReadBackUnchanged() throws {
        let event = RolePageValues.event(.returned)
        let values = EventForm.values(of: event.details)
        #expect(values["starts_on"] == "2026-11-30")
        #expect(values["starts_at"] == "09:20")
        #expect(values["ends_at"] == "11:20")
        #expect(values["competencies"] == "robotics")
        #expect(EventForm.check(values, places: Self.places, mentors: Self.mentors) == .valid(event.details))
        let form = CheckedForm(EventForm.sections(places: Self.places, mentors: Self.mentors), values: values)
        let html = try PageRenderer().render(
            .venueEventEdit, frame: RolePageTests.frame("venue"), values: ["form": form, "eventID": 7, "returnedBecause": "Уточните место."])
        #expect(html.contains(#"<form method="post" action="/app/venue/events/7" novalidate>"#))
        #expect(html.contains(#"<input id="title" name="title" type="text" value="Профпроба «Робототехника»" required"#))
        #expect(html.contains(#"<option value="usr_M" selected>mentor.one</option>"#))
        #expect(html.contains(#"<input id="starts_on" name="starts_on" type="date" value="2026-11-30" required"#))
        #expect(html.contains("Причина: Уточните место."))
    }

    @Test func theMentorFormOffersTheVenuesMentors() throws {
        var form = CheckedForm(EventForm.mentorSections(mentors: Self.mentors), values: FormValues(["mentor": ""]))
        form.refuse("mentor", "Выберите наставника.")
        let html = try PageRenderer().render(
            .venueEventMentor, frame: RolePageTests.frame("venue"),
            values: ["form": form, "hasMentors": true, "eventID": 7, "eventTitle": "Проба", "currentMentor": "не назначен"])
        #expect(html.contains(#"<form method="post" action="/app/venue/events/7/mentor" novalidate>"#))
        #expect(html.contains(#"<select id="mentor" name="mentor" required aria-invalid="true" aria-describedby="mentor-error">"#))
        #expect(html.contains(#"<p class="error" id="mentor-error">Выберите наставника.</p>"#))
        #expect(html.contains("<dt>Наставник сейчас</dt><dd>не назначен</dd>"))
        let none = try PageRenderer().render(.venueEventMentor, frame: RolePageTests.frame("venue"), values: ["form": form, "eventID": 7])
        #expect(!none.contains("<form method=\"post\" action=\"/app/venue/events/7/mentor\""))
        #expect(none.contains(#"<a href="/app/venue/mentors">зарегистрируйте наставника</a>"#))
    }
}
