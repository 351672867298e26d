import Foundation
import Pages
import Testing

/// Every page template, rendered with every optional part shown (messages, errors, the signed-in
/// menu), is safe by construction: each `<form>` carries the CSRF field, there is no inline script
/// (a `<script>` without `src`), no `style=` attribute, no `<style>` element and no `on…=` handler,
/// so the pages' Content-Security-Policy without `unsafe-inline` breaks nothing; and each page is
/// in Russian (`lang="ru"`) with a label for every input.
@Suite struct PageSafetyTests {
    static let frame = PageFrame(stylesheet: "/app/static/bilet-000000000000.css", csrf: "TOKEN", signedIn: true, menu: true, school: true, role: "сотрудник школы")

    /// Values that switch on every optional part of every template.
    static func values() -> [String: Any] {
        var form = CheckedForm(
            PupilRegistrationPage.sections,
            values: FormValues(body: "surname=%D0%A2%D0%B5%D1%81%D1%82%D0%BE%D0%B2%D0%B0&guardian_relation=mother&pupil_signed=on"))
        for field in form.sections.flatMap(\.fields) { form.refuse(field.name, "Сообщение для поля \(field.name).") }
        form.message = "Сообщение для всей формы."
        return [
            "message": "Сообщение.", "login": "synthetic.login", "version": "staff-pd-2026-1", "organisation": "bilet://school/77-0001",
            "expires": "07.12.2026 18:00", "form": form, "pupil": "sub_AAAAAAAAAAAAAAAAAAAAAA", "consent": "cns_AAAA", "status": 403,
            "back": "/app/home", "purposes": ConsentGapsPage.menu(current: "self_service"), "purposeLabel": "Личный кабинет ученика",
            "pupils": [ConsentGapsPage.Row(token: "sub_AAAAAAAAAAAAAAAAAAAAAA", status: "согласие отозвано")], "hasPupils": true, "count": 1,
            "truncated": true, "imported": true, "refused": true, "total": 2, "shown": 1,
            "issues": [PupilImportPage.Row(row: 3, column: "СНИЛС", message: "Сообщение.")], "attached": true, "threshold": 5, "months": [KPIPage.Month(month: "2026-12", figures: ["5", "<5", "<5", "<5", "<5"])], "assigned": true, "ended": true, "hasAssignments": true, "hasNavigators": true,
            "assignments": [NavigatorChoice.Assignment(navigator: "usr_A", name: "navigator.one", validUntil: "2027-07-01T00:00:00Z")],
            "navigators": [NavigatorChoice.Option(id: "usr_A", login: "navigator.one")],
            "consents": [
                PupilConsentsPage.Consent(consent: "cns_A", purpose: "enrolment", status: "active", signedOn: "2025-09-01", scan: false),
                PupilConsentsPage.Consent(consent: "cns_B", purpose: "self_service", status: "withdrawn", signedOn: "2025-09-01", scan: true),
            ],
        ].merging(pupilValues()) { first, _ in first }.merging(RolePageValues.values()) { first, _ in first }
            .merging(NavigatorTestPageTests.values()) { first, _ in first }
    }

    /// The pupils' pages' values (tests, a question of every kind, recommendations, accesses).
    static func pupilValues() -> [String: Any] {
        let choice: [String: Any] = ["id": "a", "value": "a", "text": "Вариант", "checked": true]
        return [
            "passwordMessage": "Пароли не совпадают.", "submitted": true, "hasTests": true, "hasResults": true,
            "tests": [["id": "00000000-0000-0000-0000-000000000000", "title": "Тест", "due": "31.12.2026 18:00", "attempts": "0 из 1", "canStart": true]],
            "results": [["test": "career-interests-7", "completed": "07.12.2026 10:00", "answered": "6 из 6", "outcome": "завершён"]],
            "session": "00000000-0000-0000-0000-000000000000", "question": "q1", "text": "Вопрос?", "number": 6, "answered": 5,
            "deadline": "07.12.2026 10:30", "next": 6, "last": true, "previous": 5, "hasPrevious": true, "saved": true,
            "single": [choice], "multiple": [choice.merging(["id": "b", "value": "on"]) { $1 }], "scale": [choice.merging(["id": "1", "value": "1"]) { $1 }],
            "ordering": [["id": "x", "text": "Пункт", "positions": [choice.merging(["id": "x-1", "value": "1"]) { $1 }]]],
            "hasRecommendations": true,
            "recommendations": [["title": "Программирование", "text": "Попробуйте кружок.", "published": "07.12.2026 10:00"]],
            "hasAccesses": true, "hasEvents": true, "hasUpcoming": true, "hasPast": true,
            "upcoming": [PupilEventsPage.Row(title: "Проба", kind: "trial", format: "online", startsAt: Date(), endsAt: Date(), place: "Зал", address: "Москва", seated: false, waitingPosition: 2, now: .distantPast)],
            "past": [PupilEventsPage.Row(title: "Проба", kind: "mass_event", format: "in_person", startsAt: Date(), endsAt: Date(), place: "Зал", address: "Москва", seated: true, waitingPosition: nil, now: .distantFuture)],
            "accesses": [
                PupilAccessesPage.Row(
                    date: "07.12.2026", who: "сотрудник школы", organisation: "школа 77-0001", action: "чтение данных",
                    purpose: "Учёт ученика в школе", fields: "surname", consent: "con_A", leaf: "12"),
                PupilAccessesPage.Row(
                    date: "07.12.2026", who: "вы сами", organisation: "—", action: "чтение данных", purpose: "Личный кабинет ученика",
                    fields: "—", consent: "не требовалось", leaf: nil),
            ],
        ]
    }

    static func unsafeParts(of html: String) -> [String] {
        var found: [String] = []
        let lower = html.lowercased()
        let forms = lower.components(separatedBy: "<form").dropFirst()
        for (index, form) in forms.enumerated() {
            let body = form.components(separatedBy: "</form>").first ?? ""
            if !body.contains(#"<input type="hidden" name="_csrf" value="token">"#) { found.append("form \(index + 1) lacks the CSRF field") }
        }
        for match in lower.matches(of: #/<script\b[^>]*>/#) where !match.output.contains("src=") {
            found.append("inline script: \(match.output)")
        }
        if lower.contains("<style") { found.append("a <style> element") }
        for match in lower.matches(of: #/\sstyle\s*=/#) { found.append("style attribute: \(match.output)") }
        for match in lower.matches(of: #/\son[a-z]+\s*=/#) { found.append("event handler: \(match.output)") }
        if lower.contains("javascript:") { found.append("a javascript: URL") }
        return found
    }

    @Test("every template", arguments: PageTemplate.allCases)
    func everyTemplateIsSafe(_ template: PageTemplate) throws {
        let renderer = try PageRenderer()
        var pupil = PageFrame(stylesheet: Self.frame.stylesheet, csrf: "TOKEN")
        pupil.pupil = true
        for frame in [Self.frame, PageFrame(stylesheet: Self.frame.stylesheet, csrf: "TOKEN"), pupil] {
            let html = try renderer.render(template, frame: frame, values: Self.values())
            #expect(Self.unsafeParts(of: html) == [], "\(template.rawValue)")
            #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"ru\">"))
            #expect(html.contains("<title>\(template.title) — Билет в будущее</title>"))
            // every visible input, select and textarea has its <label for=…>
            for match in html.matches(of: #/<(input|select|textarea) id="([A-Za-z0-9_-]+)"/#) {
                #expect(html.contains(#"<label for="\#(match.output.2)">"#), "\(template.rawValue): \(match.output.2) has no label")
            }
            for match in html.matches(of: #/<input (?!type="hidden")(?!id=)[^>]*>/#) {
                Issue.record("\(template.rawValue): an input without an id for its label: \(match.output)")
            }
        }
    }

    /// Text that would break out of an element or an attribute if a template did not escape it.
    static let hostile = #"<script>"'&"#
    /// The same text as swift-mustache escapes it.
    static let hostileEscaped = "&lt;script&gt;&quot;&#39;&amp;"

    /// ``values()`` with every string a caller or the database could supply replaced by ``hostile``:
    /// the top-level strings, the rows' texts, the form's values and messages.
    static func hostileValues() -> [String: Any] {
        var values = Self.values()
        for (key, value) in values where value is String { values[key] = Self.hostile }
        let encoded = Self.hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        var form = CheckedForm(PupilRegistrationPage.sections, values: FormValues(body: "surname=\(encoded)&first_name=\(encoded)"))
        for field in form.sections.flatMap(\.fields) { form.refuse(field.name, Self.hostile) }
        form.message = Self.hostile
        values["form"] = form
        values["pupils"] = [ConsentGapsPage.Row(token: Self.hostile, status: Self.hostile)]
        values["issues"] = [PupilImportPage.Row(row: 3, column: Self.hostile, message: Self.hostile)]
        values["assignments"] = [NavigatorChoice.Assignment(navigator: Self.hostile, name: Self.hostile, validUntil: "2027-07-01T00:00:00Z")]
        values["navigators"] = [NavigatorChoice.Option(id: Self.hostile, login: Self.hostile)]
        values.merge(RolePageValues.values(text: Self.hostile)) { _, role in role }
        values.merge(NavigatorTestPageTests.values(text: Self.hostile)) { _, navigator in navigator }
        return values
    }

    @Test("every template escapes what it is given", arguments: PageTemplate.allCases)
    func everyTemplateEscapes(_ template: PageTemplate) throws {
        let renderer = try PageRenderer()
        let frame = PageFrame(stylesheet: Self.frame.stylesheet, csrf: Self.hostile, signedIn: true, menu: true, school: true, role: Self.hostile)
        let html = try renderer.render(template, frame: frame, values: Self.hostileValues())
        #expect(!html.contains(Self.hostile), "\(template.rawValue) shows the text unescaped")
        #expect(!html.contains("<script>"), "\(template.rawValue)")
        #expect(html.contains(Self.hostileEscaped), "\(template.rawValue) shows none of the values given")
    }

    /// The templates' own text: no triple mustache or `{{&…}}` (each prints a value unescaped) and no
    /// `{{%…}}` pragma (a content-type switch can turn escaping off), whatever values the tests feed.
    @Test("no template prints a value unescaped")
    func noUnescapedTags() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Pages/Templates")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".mustache") }
        #expect(files.count >= PageTemplate.allCases.count)
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            for tag in ["{{{", "{{&", "{{%", "{{ &", "{{ {"] {
                #expect(!text.contains(tag), "\(file) contains \(tag)")
            }
        }
    }

    @Test func theRegistrationFormShowsValuesAndMessagesNextToTheirFields() throws {
        let html = try PageRenderer().render(.pupilNew, frame: Self.frame, values: Self.values())
        #expect(html.contains(#"<input id="surname" name="surname" type="text" value="Тестова" required aria-invalid="true" aria-describedby="surname-error">"#))
        #expect(html.contains(#"<p class="error" id="snils-error">Сообщение для поля snils.</p>"#))
        #expect(html.contains(#"<option value="mother" selected>Мать</option>"#))
        #expect(html.contains(#"<input id="pupil_signed" name="pupil_signed" type="checkbox" checked"#))
        #expect(html.contains(#"<p class="alert" role="alert">Сообщение для всей формы.</p>"#))
        #expect(html.contains(#"<link rel="stylesheet" href="/app/static/bilet-000000000000.css">"#))
    }

    @Test func kpiFiguresUnderFiveAreShownAsSuppressed() throws {
        let html = try PageRenderer().render(.kpi, frame: Self.frame, values: Self.values())
        #expect(html.contains("<tr><th scope=\"row\">12.2026</th><td>5</td><td>&lt;5</td><td>&lt;5</td><td>&lt;5</td><td>&lt;5</td></tr>"))
    }

    @Test func theCheckFindsWhatItLooksFor() {
        #expect(Self.unsafeParts(of: #"<form method="post"><button>x</button></form>"#) == ["form 1 lacks the CSRF field"])
        #expect(Self.unsafeParts(of: "<script>alert(1)</script>").count == 1)
        #expect(Self.unsafeParts(of: #"<script src="/app/static/x.js"></script>"#) == [])
        #expect(Self.unsafeParts(of: #"<p style="color:red">x</p>"#).count == 1)
        #expect(Self.unsafeParts(of: ##"<a href="#top" onclick="x()">x</a>"##).count == 1)
    }
}

extension PageSafetyTests {
    @Test func thePupilsPagesShowTheirPartsAndNoStaffMenu() throws {
        var frame = PageFrame(stylesheet: Self.frame.stylesheet, csrf: "TOKEN")
        frame.pupil = true
        let renderer = try PageRenderer()
        let question = try renderer.render(.pupilQuestion, frame: frame, values: Self.values())
        #expect(question.contains(#"<input id="choice-a" name="choice" type="radio" value="a" checked>"#))
        #expect(question.contains(#"<select id="position-x" name="position-x">"#))
        #expect(question.contains(#"<form method="post" action="/app/pupil/sessions/00000000-0000-0000-0000-000000000000/submit">"#))
        #expect(question.contains(#"<form class="sign-out" method="post" action="/app/pupil/sign-out">"#))
        #expect(!question.contains("/app/pupils/new"))
        let accesses = try renderer.render(.pupilAccesses, frame: frame, values: Self.values())
        #expect(accesses.contains(#"<a href="/app/pupil/accesses/12/proof" download>"#))
        #expect(accesses.contains("Доказательство будет доступно, когда запись войдёт в подписанный журнал."))
        #expect(accesses.contains("<dt>Кто</dt><dd>сотрудник школы</dd>"))
    }
}
