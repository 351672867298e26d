import Foundation
import Pages
import Testing
import Trials

/// The coordinator's, the venue's and the mentor's templates with every optional part shown are
/// as safe as the others (``PageSafetyTests/unsafeParts(of:)``, which also runs over every
/// template through ``PageSafetyTests``), show their role's menu only, and their forms' checks
/// refuse each bad value with its Russian message next to its field.
@Suite struct RolePageTests {
    static func frame(_ role: String) -> PageFrame {
        var frame = PageFrame(stylesheet: "/app/static/bilet-000000000000.css", csrf: "TOKEN", signedIn: true, menu: true, role: RussianFormat.role(role))
        frame.coordinator = role == "regional_coordinator"
        frame.venue = role == "venue"
        frame.mentor = role == "mentor"
        frame.navigator = role == "navigator"
        return frame
    }

    static let pages: [(PageTemplate, String)] = [
        (.regionOrganisations, "regional_coordinator"), (.regionEvents, "regional_coordinator"), (.regionKPI, "regional_coordinator"),
        (.regionOrganisationNew, "regional_coordinator"), (.regionStaffNew, "regional_coordinator"), (.regionStaffCreated, "regional_coordinator"),
        (.home, "regional_coordinator"), (.venuePlaces, "venue"), (.venueMentors, "venue"), (.venueEvents, "venue"), (.venueEventNew, "venue"),
        (.venueEventEdit, "venue"), (.venueEventMentor, "venue"),
        (.home, "venue"), (.mentorEvents, "mentor"), (.mentorAttendance, "mentor"), (.home, "mentor"),
        (.navigatorEvents, "navigator"), (.navigatorEvent, "navigator"), (.navigatorRecommendations, "navigator"),
        (.navigatorPupilRecommendations, "navigator"), (.home, "navigator"),
    ]

    @Test("each role's templates are safe and show that role's menu only", arguments: 0..<pages.count)
    func roleTemplatesAreSafe(_ index: Int) throws {
        let (template, role) = Self.pages[index]
        var values = PageSafetyTests.values()
        values["form"] = CheckedForm(EventForm.sections(places: [.init(value: "3", label: "Мастерская")], mentors: []))
        let html = try PageRenderer().render(template, frame: Self.frame(role), values: values)
        #expect(PageSafetyTests.unsafeParts(of: html) == [], "\(template.rawValue)")
        for match in html.matches(of: #/<(input|select|textarea) id="([A-Za-z0-9_-]+)"/#) {
            #expect(html.contains(#"<label for="\#(match.output.2)">"#), "\(template.rawValue): \(match.output.2) has no label")
        }
        #expect(html.contains(#"<a href="/app/region/kpi">"#) == (role == "regional_coordinator"))
        #expect(html.contains(#"<a href="/app/venue/places">"#) == (role == "venue"))
        #expect(html.contains(#"<a href="/app/mentor/events">"#) == (role == "mentor"))
        #expect(html.contains(#"<a href="/app/navigator/events">"#) == (role == "navigator"))
        #expect(!html.contains("/app/pupils/new"))
        #expect(!html.contains("Страницы для вашей роли появятся позже"))
    }

    @Test func theRegionEventsShowTheReturnFormWithItsMessageNextToTheReason() throws {
        let html = try PageRenderer().render(.regionEvents, frame: Self.frame("regional_coordinator"), values: PageSafetyTests.values())
        #expect(html.contains(#"<form method="post" action="/app/region/events/7/approve" class="inline">"#))
        #expect(html.contains(#"<form method="post" action="/app/region/events/7/return" novalidate>"#))
        #expect(html.contains(#"<textarea id="reason-7" name="reason" rows="3" aria-invalid="true" aria-describedby="reason-7-error">Причина</textarea>"#))
        #expect(html.contains(#"<p class="error" id="reason-7-error">Напишите, что площадке исправить.</p>"#))
        // Moscow time, ДД.ММ.ГГГГ.
        #expect(html.contains("<dt>Начало</dt><dd>30.11.2026 09:20</dd>"))
    }

    @Test func theKPIChartsAreAccessibleAndHideSmallCounts() throws {
        let html = try PageRenderer().render(.regionKPI, frame: Self.frame("regional_coordinator"), values: PageSafetyTests.values())
        #expect(html.contains(#"<svg id="chart-1" role="img" aria-labelledby="chart-1-title chart-1-desc" viewBox="0 0 640 240""#))
        #expect(html.contains(#"<title id="chart-1-title">Зарегистрировано учеников</title>"#))
        #expect(html.contains("Наибольшее значение 110 — в 12.2026."))
        #expect(html.contains("<tr><th scope=\"row\">12.2026</th><td>5</td><td>&lt;5</td><td>&lt;5</td><td>&lt;5</td><td>&lt;5</td></tr>"))
        let chart = KPIChart(id: "c", title: "Тест", months: [("01.2026", nil), ("02.2026", 10), ("03.2026", 20)])
        #expect(chart.bars.map(\.height) == [0, 88, 176])
        #expect(chart.bars.map(\.value) == ["<5", "10", "20"])
        #expect(chart.bars.map(\.suppressed) == [true, false, false])
        #expect(chart.bars.allSatisfy { $0.y + $0.height == KPIChart.baseline })
        #expect(KPIChart(id: "c", title: "Тест", months: [("01.2026", nil)]).description == "Тест по месяцам с 01.2026 по 01.2026: во всех месяцах меньше 5.")
    }

    @Test func theMentorsSheetShowsNamesAsReleasedAndAMarkFormPerPupil() throws {
        let html = try PageRenderer().render(.mentorAttendance, frame: Self.frame("mentor"), values: PageSafetyTests.values())
        #expect(html.contains(#"<h2 class="name">Анна Т. <span class="hint">(отмечен)</span></h2>"#))
        #expect(html.contains("Ученик 2 (имя скрыто: нет согласия на этот вид обработки)"))
        #expect(html.contains(#"<form method="post" action="/app/mentor/events/7/attendance/trl_AAAAAAAAAAAAAAAAAAAAAA">"#))
        #expect(html.contains(#"<select id="grade-1" name="grade" aria-invalid="true" aria-describedby="grade-1-error">"#))
        #expect(html.contains(#"<option value="5" selected>5</option>"#))
        #expect(html.contains(#"<input id="attended-1" name="attended" type="checkbox" checked>"#))
        #expect(html.contains(#"<input id="attended-2" name="attended" type="checkbox">"#))
    }

    static func eventForm(_ body: String) -> EventForm.Outcome {
        EventForm.check(
            FormValues(body: body), places: [.init(value: "3", label: "Мастерская")], mentors: [.init(value: "usr_M", label: "mentor.one")])
    }

    static let validEvent =
        "title=%D0%9F%D1%80%D0%BE%D1%84%D0%BF%D1%80%D0%BE%D0%B1%D0%B0&kind=trial&format=in_person&place=3&capacity=12&sphere=engineering"
        + "&competencies=robotics%2C+design&mentor=usr_M&starts_on=10.12.2026&starts_at=09%3A00&ends_on=2026-12-10&ends_at=17%3A30"

    @Test func aValidEventIsReadInMoscowTime() throws {
        guard case .valid(let details) = Self.eventForm(Self.validEvent) else {
            Issue.record("refused")
            return
        }
        #expect(details.title == "Профпроба")
        #expect(details.startsAt.ISO8601Format() == "2026-12-10T06:00:00Z")
        #expect(details.endsAt.ISO8601Format() == "2026-12-10T14:30:00Z")
        #expect(details.place == 3)
        #expect(details.capacity == 12)
        #expect(details.competencies == ["robotics", "design"])
        #expect(details.mentor == "usr_M")
        #expect(details.kind == .trial)
        #expect(details.format == .inPerson)
    }

    @Test("each refused value has its message next to its field only", arguments: [
        ("title=", "title", "Заполните это поле."),
        ("kind=party", "kind", "Выберите вид мероприятия."),
        ("place=4", "place", "Выберите место проведения."),
        ("capacity=0", "capacity", "Введите целое число от 1 до 100000."),
        ("capacity=много", "capacity", "Введите целое число от 1 до 100000."),
        ("sphere=Инженерия", "sphere", "Латинские строчные буквы, цифры и «_», до 64 символов."),
        ("competencies=a%2Ca", "competencies", "До 64 разных обозначений латиницей через запятую."),
        ("mentor=usr_X", "mentor", "Выберите наставника из списка."),
        ("starts_on=31.02.2026", "starts_on", "Введите дату в виде ДД.ММ.ГГГГ."),
        ("starts_at=25%3A00", "starts_at", "Введите время в виде ЧЧ:ММ."),
        ("ends_at=08%3A00", "ends_at", "Окончание должно быть позже начала."),
        ("ends_on=20.01.2027", "ends_on", "Мероприятие длится не больше 31 дня."),
    ])
    func eachRefusedEventValue(_ change: String, _ field: String, _ message: String) throws {
        let name = String(change.split(separator: "=")[0])
        let body = Self.validEvent.split(separator: "&").filter { !$0.hasPrefix(name + "=") }.joined(separator: "&") + "&" + change
        guard case .invalid(let form) = Self.eventForm(body) else {
            Issue.record("\(change) passed")
            return
        }
        #expect(form.error(field) == message)
        #expect(form.sections.flatMap(\.fields).filter { $0.error != nil }.map(\.name) == [field])
        let html = try PageRenderer().render(.venueEventNew, frame: Self.frame("venue"), values: ["form": form])
        #expect(html.contains(#"<p class="error" id="\#(field)-error">\#(message)</p>"#))
    }

    @Test func thePlaceFormRefusesEachBadValue() {
        guard case .invalid(let form) = PlaceForm.check(FormValues(body: "name=&address=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&capacity=100001")) else {
            Issue.record("passed")
            return
        }
        #expect(form.error("name") == "Заполните это поле.")
        #expect(form.error("address") == nil)
        #expect(form.error("capacity") == "Введите целое число от 1 до 100000.")
        #expect(PlaceForm.check(FormValues(body: "name=A&address=B&capacity=1+000")) == .valid(PlaceForm.Place(name: "A", address: "B", capacity: 1000)))
    }

    @Test func aMarkIsCheckedAsTheModuleChecksIt() throws {
        #expect(try AttendanceSheet.mark(FormValues(body: "attended=on&grade=5&feedback=+ok+")).get() == AttendanceSheet.Mark(attended: true, grade: 5, feedback: "ok"))
        #expect(try AttendanceSheet.mark(FormValues(body: "grade=")).get() == AttendanceSheet.Mark(attended: false, grade: nil, feedback: nil))
        #expect(throws: AttendanceSheet.MarkRefusal.self) { try AttendanceSheet.mark(FormValues(body: "grade=4")).get() }
        #expect(throws: AttendanceSheet.MarkRefusal.self) { try AttendanceSheet.mark(FormValues(body: "attended=on&grade=6")).get() }
        let long = String(repeating: "a", count: 4001)
        #expect(throws: AttendanceSheet.MarkRefusal.self) { try AttendanceSheet.mark(FormValues(body: "attended=on&feedback=\(long)")).get() }
    }
}
