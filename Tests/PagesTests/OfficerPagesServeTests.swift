import Foundation
import PupilImport
import ServeTestSupport
import Testing

/// The compliance officer's pages through a real `bilet serve` and curl over mutual TLS with the
/// development workstation certificate: the audit search, the per-pupil access report, the log's
/// verification status and the open subject-access requests, each compared with what the JSON API
/// answers the same officer, and refused to another role. Synthetic data only.
@Suite(.serialized) struct OfficerPagesServeTests {
    typealias Answer = SchoolPagesServeTests.Answer

    /// Signs `login` in through the pages (the sign-in form, then the staff consent): the cookie.
    static func signInThroughPages(_ run: ServeRun, port: Int, _ login: String, client: String = "workstation") throws -> String {
        let form = try SchoolPagesServeTests.page(run, port: port, client: client, "/app/sign-in")
        let token = try #require(form.csrf)
        // the sign-in token is bound to the pre-session cookie the form set
        let pre = try #require(form.headers["set-cookie"]?.firstMatch(of: #/__Host-bilet-pre=([A-Za-z0-9_-]{43});/#)?.output.1)
        let signedIn = try SchoolPagesServeTests.page(
            run, port: port, client: client, "/app/sign-in", method: "POST", preSession: String(pre),
            form: [("_csrf", token), ("login", login), ("password", ServeRun.password)])
        try #require(signedIn.http == "303", "\(signedIn)")
        let cookie = try #require(signedIn.headers["set-cookie"]?.firstMatch(of: #/__Host-bilet-session=([A-Za-z0-9_-]{43});/#)?.output.1)
        // an account that consented before (through the API) goes straight home
        let home = try SchoolPagesServeTests.page(run, port: port, client: client, "/app/home", cookie: String(cookie))
        if home.http == "200" { return String(cookie) }
        let consentPage = try SchoolPagesServeTests.page(run, port: port, client: client, "/app/consent", cookie: String(cookie))
        let consented = try SchoolPagesServeTests.page(
            run, port: port, client: client, "/app/consent", method: "POST", cookie: String(cookie),
            form: [("_csrf", try #require(consentPage.csrf)), ("version", "staff-pd-2026-1")])
        try #require(consented.http == "303", "\(consented)")
        return String(cookie)
    }

    @Test("the compliance officer searches the audit log, reads a pupil's access report, the log's status and the open requests through the pages")
    func officerWorksThroughThePages() async throws {
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        for (login, role) in [("school.a", "school"), ("officer.one", "compliance_officer")] {
            let add = try run.addAccount(login, role: role, organisation: "bilet://school/77-0001", region: role == "school" ? "77" : nil)
            try #require(add.status == 0, "\(add.output)")
        }
        try run.initialiseVault()
        func page(_ path: String, method: String = "GET", cookie: String, form: [(String, String)]? = nil) throws -> Answer {
            try SchoolPagesServeTests.page(run, port: port, path, method: method, cookie: cookie, form: form)
        }
        let json = ServeRun.json

        // The school imports two pupils (their forms cover answering subject-access requests) and
        // registers two requests about the first: one received 30 days ago (overdue), one yesterday.
        let school = try run.signIn(port: port, "school.a", client: "workstation")
        let file = run.directory.path + "/pupils.csv"
        let lines = [SyntheticImport.header + ";consent_purposes"] + (0..<2).map { SyntheticImport.row($0, seed: 11) + ";parent_request" }
        try Data(lines.joined(separator: "\r\n").utf8).write(to: URL(fileURLWithPath: file))
        let imported = try run.call(
            port: port, client: "workstation", token: school, "/v1/pupils/import", method: "POST", type: "text/csv", body: "@" + file)
        try #require(imported.http == "200", "\(imported)")
        let tokens = try #require(json(imported.body)["tokens"] as? [String])
        let pupil = tokens[0]
        var requests: [String] = []
        for daysAgo in [30.0, 1.0] {
            let received = PupilImportFile.today(now: Date().addingTimeInterval(-daysAgo * 86_400))
            let registered = try run.call(
                port: port, client: "workstation", token: school, "/v1/pupils/\(pupil)/access-requests", method: "POST",
                type: "application/json", body: #"{"received_on":"\#(received)","requester_kind":"guardian"}"#)
            try #require(registered.http == "201", "\(registered)")
            requests.append(try #require(json(registered.body)["request"] as? String))
        }
        // The school's own read of the pupil's card, to show in the report.
        let card = try run.call(port: port, client: "workstation", token: school, "/v1/pupils/\(pupil)?purpose=enrolment&fields=surname")
        #expect(card.http == "200", "\(card)")

        // The officer signs in through the pages; the home page links the officer's pages.
        let cookie = try Self.signInThroughPages(run, port: port, "officer.one")
        let home = try page("/app/home", cookie: cookie)
        #expect(home.http == "200", "\(home)")
        #expect(home.body.contains("Вы вошли как ответственный за защиту данных"))
        for link in ["/app/audit", "/app/audit/report", "/app/audit/status", "/app/access-requests", "/app/audit/erasures"] {
            #expect(home.body.contains(#"<li><a href="\#(link)">"#), "\(link)")
        }
        #expect(!home.body.contains("/app/pupils/new"))
        let csrf = try #require(home.csrf)

        // The audit search: the empty form, then the pupil's reads; the same entries as the API.
        let searchForm = try page("/app/audit", cookie: cookie)
        #expect(searchForm.http == "200")
        #expect(searchForm.body.contains(#"<form method="post" action="/app/audit" novalidate>"#))
        #expect(searchForm.body.contains(#"<input id="from" name="from" type="date" value="" aria-describedby="from-hint">"#))
        let today = String(Date().ISO8601Format().prefix(10))  // the day in UTC, as the audit log's times
        let day = today.split(separator: "-").reversed().joined(separator: ".")
        let found = try page(
            "/app/audit", method: "POST", cookie: cookie,
            form: [("_csrf", csrf), ("subject", pupil), ("type", "pii.read"), ("decision", "permit"), ("from", day), ("to", today), ("limit", "50")])
        #expect(found.http == "200", "\(found)")
        let officer = try run.signIn(port: port, "officer.one", client: "workstation")
        let api = try run.call(
            port: port, client: "workstation", token: officer,
            "/v1/audit/entries?subject=\(pupil)&type=pii.read&decision=permit&from=\(today)&limit=50")
        let apiEntries = try #require(json(api.body)["entries"] as? [[String: Any]])
        #expect(!apiEntries.isEmpty)
        #expect(found.body.contains("<h2>Найдено записей: \(apiEntries.count)</h2>"), "\(found)")
        #expect(found.body.components(separatedBy: "<td><code>pii.read</code>").count - 1 == apiEntries.count)
        #expect(found.body.contains(#"<a href="/app/audit/report?subject=\#(pupil)"><code>\#(pupil)</code></a>"#))
        #expect(found.body.contains(#"<input id="from" name="from" type="date" value="\#(today)""#), "the typed date stays, as a date input takes it")

        // Refused filters: each message next to its field, 422, nothing searched.
        let refused = try page(
            "/app/audit", method: "POST", cookie: cookie,
            form: [("_csrf", csrf), ("subject", "Тестова Анна"), ("actor", "someone"), ("type", "PII READ"), ("decision", "maybe"),
                   ("from", "31.02.2026"), ("to", "2026-13-01"), ("limit", "0")])
        #expect(refused.http == "422", "\(refused)")
        for (field, message) in [
            ("subject", "Укажите идентификатор (например, sub_… из карточки ученика), а не имя или другой текст."),
            ("actor", "Укажите идентификатор вида user:usr_… или cert:… ."), ("type", "Тип события пишется латиницей, например pii.read."),
            ("decision", "Выберите решение из списка."), ("from", "Укажите существующую дату в виде ДД.ММ.ГГГГ."),
            ("to", "Укажите существующую дату в виде ДД.ММ.ГГГГ."), ("limit", "Укажите число от 1 до 10 000."),
        ] {
            #expect(refused.body.contains(#"<p class="error" id="\#(field)-error">\#(message)</p>"#), "\(field)")
        }
        #expect(!refused.body.contains("Найдено записей"))
        let backwards = try page("/app/audit", method: "POST", cookie: cookie, form: [("_csrf", csrf), ("from", "07.12.2026"), ("to", "01.12.2026")])
        #expect(backwards.http == "422")
        #expect(backwards.body.contains(#"<p class="error" id="to-error">Дата окончания не может быть раньше даты начала.</p>"#))
        // Without the CSRF token the search is refused before it runs.
        #expect(try page("/app/audit", method: "POST", cookie: cookie, form: [("subject", pupil)]).http == "403")

        // The access report: the form goes to the report's address, by token only; the same readers
        // and entries as the API's report.
        let reportForm = try page("/app/audit/report", cookie: cookie)
        #expect(reportForm.http == "200")
        #expect(reportForm.body.contains(#"<form method="post" action="/app/audit/report" novalidate>"#))
        let toReport = try page("/app/audit/report", method: "POST", cookie: cookie, form: [("_csrf", csrf), ("subject", pupil)])
        #expect(toReport.http == "303")
        #expect(toReport.headers["location"] == "/app/audit/report?subject=\(pupil)")
        let byName = try page("/app/audit/report", method: "POST", cookie: cookie, form: [("_csrf", csrf), ("subject", "Тестова")])
        #expect(byName.http == "422")
        #expect(byName.body.contains(#"<p class="error" id="subject-error">"#))
        #expect(try page("/app/audit/report?subject=nothing", cookie: cookie).http == "400")
        let report = try page("/app/audit/report?subject=\(pupil)", cookie: cookie)
        #expect(report.http == "200", "\(report)")
        let apiReport = json(try run.call(port: port, client: "workstation", token: officer, "/v1/audit/report?subject=\(pupil)").body)
        let readers = try #require(apiReport["readers"] as? [String])
        #expect(!readers.isEmpty)
        for reader in readers { #expect(report.body.contains("<code>\(reader)</code>"), "\(reader)") }
        #expect(report.body.contains(#"<code id="report-subject">\#(pupil)</code>"#))
        #expect(report.body.contains("<td>enrolment</td>"))
        #expect(!report.body.contains(SyntheticImport.surname(0, variant: 11)), "no personal data on the report")

        // The log's status: the newest checkpoint (as the API's, once the sequencer signed one) and the verdict.
        var checkpoint: String?
        for _ in 0..<60 where checkpoint == nil {
            let answer = try run.call(port: port, client: "workstation", token: officer, "/v1/audit/checkpoint")
            if answer.http == "200" { checkpoint = json(answer.body)["checkpoint"] as? String } else { try await Task.sleep(for: .milliseconds(500)) }
        }
        let origin = try #require(checkpoint?.split(separator: "\n").first)
        let status = try page("/app/audit/status", cookie: cookie)
        #expect(status.http == "200", "\(status)")
        #expect(status.body.contains("<h2>Последняя подписанная контрольная точка</h2>"))
        #expect(status.body.contains("<dd><code>\(origin)</code></dd>"))
        // Nothing was recorded the day before: an empty day, its end proven by today's first record.
        #expect(status.body.contains(#"<p class="verdict verdict-complete" role="status" id="verdict">Журнал полный: все записи на месте, подписаны и не изменены.</p>"#), "\(status)")
        #expect(status.body.contains("bilet audit verify"))

        // The open requests of every school, the overdue one marked; the same as the API's.
        let open = try page("/app/access-requests", cookie: cookie)
        #expect(open.http == "200", "\(open)")
        #expect(open.body.contains(#"<p role="status" id="overdue-count">Просрочено: 1 из 2.</p>"#), "\(open)")
        #expect(open.body.contains(#"<tr class="overdue"><td><code>\#(requests[0])</code></td>"#))
        #expect(open.body.contains(#"<tr><td><code>\#(requests[1])</code></td>"#))
        #expect(open.body.contains("<td>77-0001</td><td>законный представитель</td>"))
        let apiOpen = try run.call(port: port, client: "workstation", token: officer, "/v1/access-requests?status=overdue")
        #expect((json(apiOpen.body)["requests"] as? [[String: Any]])?.compactMap { $0["request"] as? String } == [requests[0]])

        // The destructions the log records: the second pupil erased over the vault's control
        // socket (reason subject_request) is listed with its categories; none of the first.
        let noErasure = try page("/app/audit/erasures", cookie: cookie)
        #expect(noErasure.http == "200", "\(noErasure)")
        #expect(noErasure.body.contains("Журнал не содержит уничтожений персональных данных."))
        let erased = try run.bilet(["vault", "erase", tokens[1], "--reason", "subject_request", "--socket", run.socket])
        try #require(erased.status == 0, "\(erased.output)")
        let erasures = try page("/app/audit/erasures", cookie: cookie)
        #expect(erasures.http == "200")
        #expect(erasures.body.contains(#"<a href="/app/audit/report?subject=\#(tokens[1])"><code>\#(tokens[1])</code></a></td><td>по требованию субъекта</td>"#), "\(erasures)")
        #expect(!erasures.body.contains(pupil))

        // Each page's read is audited as the API's: audit.read by the officer, purpose audit_review.
        let officerAccount = try #require(json(try run.call(port: port, client: "workstation", token: officer, "/v1/staff/me").body)["account"] as? String)
        let reads = json(
            try run.call(
                port: port, client: "workstation", token: officer, "/v1/audit/entries?type=audit.read&actor=user:\(officerAccount)"
            ).body)["entries"] as? [[String: Any]] ?? []
        let tools = reads.compactMap { ($0["fields"] as? [String: Any])?["query"] as? String }
        #expect(tools.filter { $0 == "report" }.count == 2, "\(tools)")  // the page's and the API's
        #expect(tools.contains("checkpoint"))
        #expect(tools.contains("gaps"))
        #expect(reads.allSatisfy { $0["purpose"] as? String == "audit_review" })

        // Another role: the school's staff member is refused every officer page (403), and the
        // officer is refused the school's.
        let schoolCookie = try Self.signInThroughPages(run, port: port, "school.a")
        for path in [
            "/app/audit", "/app/audit/report", "/app/audit/report?subject=\(pupil)", "/app/audit/status", "/app/access-requests",
            "/app/audit/erasures",
        ] {
            let answer = try page(path, cookie: schoolCookie)
            #expect(answer.http == "403", "\(path): \(answer)")
            #expect(answer.body.contains("Эта страница для ответственного за защиту персональных данных."))
        }
        let schoolCSRF = try #require(try page("/app/home", cookie: schoolCookie).csrf)
        #expect(try page("/app/audit", method: "POST", cookie: schoolCookie, form: [("_csrf", schoolCSRF), ("subject", pupil)]).http == "403")
        #expect(try page("/app/pupils/new", cookie: cookie).http == "403")
        // Without a session: to the sign-in page.
        let signedOut = try SchoolPagesServeTests.page(run, port: port, "/app/audit")
        #expect(signedOut.http == "303")
        #expect(signedOut.headers["location"] == "/app/sign-in")
    }
}
