import Foundation
import Pages
import Testing

/// The compliance officer's templates with every optional part shown are as safe as the others
/// (``PageSafetyTests/unsafeParts(of:)``), and the audit search's check refuses each bad filter
/// with its message next to its field.
@Suite struct OfficerPageTests {
    static var frame: PageFrame {
        var frame = PageFrame(stylesheet: "/app/static/bilet-000000000000.css", csrf: "TOKEN", signedIn: true, menu: true, role: "ответственный за защиту данных")
        frame.officer = true
        return frame
    }

    static func values() -> [String: Any] {
        var form = AuditSearchPage.form(FormValues(body: "subject=sub_AAAAAAAAAAAAAAAAAAAAAA&from=07.12.2026&decision=deny"))
        for field in form.sections.flatMap(\.fields) { form.refuse(field.name, "Сообщение для поля \(field.name).") }
        form.message = "Сообщение для всей формы."
        let row = AuditSearchPage.Row(
            time: "07.12.2026 10:00:00", type: "pii.read", actor: "user:usr_A", subject: "sub_AAAAAAAAAAAAAAAAAAAAAA", decision: "permit",
            purpose: "enrolment", leaf: 7, fields: [("fields_requested", "surname")])
        return [
            "form": form, "searched": true, "count": 1, "hasEntries": true, "truncated": true, "entries": [row],
            "hasReport": false, "subject": "sub_AAAAAAAAAAAAAAAAAAAAAA", "generated": "07.12.2026 10:00", "readers": ["user:usr_A"],
            "hasReaders": true, "hasCheckpoint": true, "sequence": "3", "signedAt": "07.12.2026 10:00:00", "size": 12, "root": "00ff",
            "origin": "bilet.test/audit", "checkpoint": "bilet.test/audit\n12\nAAAA\n", "verdictCode": "gaps",
            "verdict": AuditStatusPage.verdict("gaps"), "windowFrom": "06.12.2026 10:00:00", "windowTo": "07.12.2026 10:00:00",
            "eventCount": 3, "pendingCount": 0, "problems": ["leaf 4 is missing"], "hasProblems": true, "hasRequests": true,
            "overdueCount": 1, "hasErasures": true,
            "erasures": [
                ErasuresPage.Row(
                    time: "07.12.2026 10:00:00", subject: "sub_A", reason: "subject_request", categories: "surname, snils", actor: "control:socket")
            ],
            "hasDeadlines": true, "hasRegisterEntries": true, "deadlineCount": 2,
            "deadlines": [
                ErasureDeadlinesPage.Row(
                    subject: "sub_A", kind: "pupil", scope: "fields", fields: ["disability_status"], reason: "consent_withdrawn",
                    due: "2026-11-01T09:30:00Z", legalHold: false, now: Date(timeIntervalSince1970: 1_796_000_000)),
                ErasureDeadlinesPage.Row(
                    subject: "sub_B", kind: "guardian", scope: "subject", fields: ["name"], reason: "retention_expired",
                    due: "2027-01-10T00:00:00Z", legalHold: true, now: Date(timeIntervalSince1970: 1_796_000_000)),
            ],
            "registerEntries": [
                DestructionRegisterPage.Row(
                    subject: "sub_C", kind: "pupil", scope: "subject", categories: ["surname", "snils"], method: "crypto_shredding",
                    reason: "subject_request", requestedBy: "user:usr_A", destroyedAt: "2026-12-07T10:00:00Z", keepUntil: "2029-12-07T10:00:00Z")
            ],
            "requests": [
                AccessRequestsPage.Row(
                    request: "sar_A", pupil: "sub_A", school: "77-0001", receivedOn: "2026-11-01", deadline: "2026-11-14", status: "overdue",
                    requesterKind: "guardian")
            ],
        ]
    }

    @Test("the officer's templates", arguments: [PageTemplate.auditSearch, .auditReport, .auditStatus, .accessRequests, .erasures, .erasureDeadlines, .erasureRegister, .home])
    func officerTemplatesAreSafe(_ template: PageTemplate) throws {
        let renderer = try PageRenderer()
        for hasReport in [false, true] {
            var values = Self.values()
            values["hasReport"] = hasReport
            let html = try renderer.render(template, frame: Self.frame, values: values)
            #expect(PageSafetyTests.unsafeParts(of: html) == [], "\(template.rawValue)")
            for match in html.matches(of: #/<(input|select|textarea) id="([A-Za-z0-9_-]+)"/#) {
                #expect(html.contains(#"<label for="\#(match.output.2)">"#), "\(template.rawValue): \(match.output.2) has no label")
            }
            #expect(html.contains(#"<li><a href="/app/audit">Поиск в журнале</a></li>"#), "the officer's menu")
            #expect(!html.contains("/app/pupils/new"), "not the school's menu")
        }
    }

    @Test func theSearchFormShowsValuesAndMessagesNextToTheirFields() throws {
        let html = try PageRenderer().render(.auditSearch, frame: Self.frame, values: Self.values())
        #expect(html.contains(#"<input id="from" name="from" type="date" value="2026-12-07" aria-invalid="true" aria-describedby="from-error">"#))
        #expect(html.contains(#"<p class="error" id="limit-error">Сообщение для поля limit.</p>"#))
        #expect(html.contains(#"<option value="deny" selected>Отказано</option>"#))
        #expect(html.contains("<td>07.12.2026 10:00:00</td><td><code>pii.read</code><br>чтение персональных данных</td>"))
        #expect(html.contains(#"<td class="fields">fields_requested: surname</td>"#))
        let requests = try PageRenderer().render(.accessRequests, frame: Self.frame, values: Self.values())
        #expect(requests.contains(#"<tr class="overdue"><td><code>sar_A</code></td>"#))
        #expect(requests.contains("<td>01.11.2026</td><td>14.11.2026</td><td><strong>просрочен</strong></td>"))
        let erasures = try PageRenderer().render(.erasures, frame: Self.frame, values: Self.values())
        #expect(erasures.contains(#"<td>по требованию субъекта</td><td class="fields">surname, snils</td><td><code>control:socket</code></td>"#))
    }

    @Test func theErasureDeadlinesMarkTheOverdueAndTheRegisterShowsMethodAndKeepUntil() throws {
        let renderer = try PageRenderer()
        let deadlines = try renderer.render(.erasureDeadlines, frame: Self.frame, values: Self.values())
        #expect(deadlines.contains(#"<p role="status" id="overdue-count">Просрочено: 1 из 2.</p>"#))
        #expect(
            deadlines.contains(
                #"<tr class="overdue"><td><code>sub_A</code></td><td>ученик</td><td>disability_status</td><td>согласие отозвано</td><td>01.11.2026 09:30</td><td><strong>просрочен</strong></td></tr>"#))
        #expect(
            deadlines.contains(
                "<tr><td><code>sub_B</code></td><td>законный представитель</td><td>все данные</td><td>срок хранения истёк</td><td>10.01.2027 00:00</td><td>в срок, юридическое удержание</td></tr>"))
        let register = try renderer.render(.erasureRegister, frame: Self.frame, values: Self.values())
        #expect(
            register.contains(
                "<tr><td><code>sub_C</code></td><td>ученик</td><td>все данные (surname, snils)</td><td>криптографическое уничтожение (ключ данных уничтожен)</td><td>по требованию субъекта</td><td><code>user:usr_A</code></td><td>07.12.2026 10:00</td><td>07.12.2029</td></tr>"))
        var empty = Self.values()
        empty["hasDeadlines"] = false
        empty["hasRegisterEntries"] = false
        #expect(try renderer.render(.erasureDeadlines, frame: Self.frame, values: empty).contains("Сроков уничтожения нет."))
        #expect(try renderer.render(.erasureRegister, frame: Self.frame, values: empty).contains("Реестр пуст."))
    }

    static func check(_ body: String) -> AuditSearchPage.Outcome {
        AuditSearchPage.check(
            FormValues(body: body), isToken: { $0.hasPrefix("sub_") }, isIdentifier: { $0.contains(":") }, isEventType: { $0 == "pii.read" })
    }

    @Test func theSearchCheckTakesRussianAndISODatesAndTheLastDayIncluded() {
        #expect(
            Self.check("subject=sub_A&actor=user:usr_A&type=pii.read&decision=deny&from=01.12.2026&to=2026-12-31&limit=50")
                == .valid(
                    AuditSearchPage.Criteria(
                        subject: "sub_A", actor: "user:usr_A", type: "pii.read", decision: "deny", from: "2026-12-01",
                        toExclusive: "2027-01-01", limit: 50)))
        #expect(
            Self.check("subject=&limit=") == .valid(AuditSearchPage.Criteria(limit: AuditSearchPage.defaultLimit)))
    }

    @Test(
        "each refused filter has its message next to its field",
        arguments: [
            ("subject=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2", "subject"), ("actor=someone", "actor"), ("type=PII", "type"),
            ("decision=maybe", "decision"), ("from=31.02.2026", "from"), ("to=2026-13-01", "to"), ("from=02.12.2026&to=01.12.2026", "to"),
            ("limit=0", "limit"), ("limit=10001", "limit"), ("limit=ten", "limit"),
        ])
    func refusedFilters(_ body: String, _ field: String) {
        guard case .invalid(let form) = Self.check(body) else {
            Issue.record("\(body) passed")
            return
        }
        #expect(form.error(field) != nil, "\(body)")
        #expect(form.sections.flatMap(\.fields).filter { $0.error != nil }.map(\.name) == [field], "\(body)")
    }

    @Test func datesAsRussiansTypeThem() {
        #expect(RussianFormat.isoDate(typed: "07.12.2026") == "2026-12-07")
        #expect(RussianFormat.isoDate(typed: "2026-12-07") == "2026-12-07")
        #expect(RussianFormat.isoDate(typed: "29.02.2025") == nil)
        #expect(RussianFormat.isoDate(typed: "7.12.2026") == nil)
        #expect(RussianFormat.isoDate(typed: "07/12/2026") == nil)
        #expect(RussianFormat.nextDay(iso: "2028-02-28") == "2028-02-29")
        #expect(RussianFormat.dateTimeSeconds(Date(timeIntervalSince1970: 1_796_000_000)) == "30.11.2026 00:53:20")
    }
}
