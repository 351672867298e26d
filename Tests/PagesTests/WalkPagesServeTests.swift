import Assessment
import Foundation
import ServeTestSupport
import Testing

/// The two steps of issue 14's walk that were API-only, through a real `bilet serve` and curl over
/// mutual TLS with the development workstation certificate: the school issues a pupil's activation
/// code on the pupil's page (shown once, never in an address, working once on the pupils'
/// listener), and the navigator assigns a published test on `/app/navigator/tests` (what the API
/// then shows). Exact statuses and messages; another role refused. Synthetic data only.
@Suite(.serialized) struct WalkPagesServeTests {
    typealias Answer = SchoolPagesServeTests.Answer

    @Test("the school issues a pupil's activation code and the navigator assigns a published test through the pages")
    func activationCodeAndTestAssignmentThroughThePages() async throws {
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let pupils = try #require(ports["pupils"])
        let accounts = try run.addAccounts([
            ("school.a", "school", "bilet://school/77-0001", "77"), ("nav.a", "navigator", "bilet://school/77-0001", "77"),
            ("method.one", "methodologist", "bilet://operator/op-1", nil),
        ])
        try run.initialiseVault()
        let json = ServeRun.json
        func call(_ client: String?, _ token: String?, _ path: String, port callPort: Int? = nil, method: String = "GET", body: String? = nil) throws -> (http: String, body: String) {
            try run.call(port: callPort ?? port, client: client, token: token, path, method: method, type: body.map { _ in "application/json" }, body: body)
        }
        func page(_ path: String, method: String = "GET", cookie: String, form: [(String, String)]? = nil) throws -> Answer {
            try SchoolPagesServeTests.page(run, port: port, path, method: method, cookie: cookie, form: form)
        }

        // The school registers the first pupil through the form, the consent's purposes ticked; the
        // rest through the API: a second pupil, the navigator assigned to the first, a published test.
        let school = try OfficerPagesServeTests.signInThroughPages(run, port: port, "school.a")
        let newPupil = try page("/app/pupils/new", cookie: school)
        #expect(newPupil.body.contains(#"<input id="purpose_self_service" name="purpose_self_service" type="checkbox">"#), "\(newPupil)")
        let registration = SchoolPagesServeTests.pupil.map { $0.0 == "first_name" ? ("first_name", "Вера") : $0 }
            + [("purpose_self_service", "on"), ("purpose_assessment", "on"), ("purpose_recommendation", "on")]
        let registered = try page("/app/pupils", method: "POST", cookie: school, form: [("_csrf", try #require(newPupil.csrf))] + registration)
        #expect(registered.http == "201", "\(registered)")
        let vera = try #require(registered.body.firstMatch(of: #/<code id="pupil-token">(sub_[A-Za-z0-9_-]+)</code>/#).map { String($0.output.1) })
        let schoolAPI = try run.signIn(port: port, "school.a", client: "workstation")
        let recorded = try call("workstation", schoolAPI, "/v1/pupils/\(vera)/consents")
        let scopes = Set(((json(recorded.body)["consents"] as? [[String: Any]]) ?? []).compactMap { $0["scope"] as? String })
        #expect(scopes == ["enrolment", "self_service", "assessment", "recommendation"], "\(recorded)")
        let methodologist = try run.signIn(port: port, "method.one", client: "operator")
        let pavel = try run.registerPupil(
            port: port, token: schoolAPI, surname: "Примеров", firstName: "Павел", number: "42", purposes: ["self_service", "assessment", "recommendation"])
        let navigatorID = try #require(accounts["nav.a"])
        #expect(try call("workstation", schoolAPI, "/v1/pupils/\(vera)/navigators", method: "POST", body: #"{"navigator":"\#(navigatorID)"}"#).http == "201")
        let definition = String(decoding: try JSONEncoder().encode(ExampleTest.definition()), as: UTF8.self)
        #expect(try call("operator", methodologist, "/v1/assessment/tests", method: "POST", body: definition).http == "201")
        #expect(try call("operator", methodologist, "/v1/assessment/tests/career-interests-7/versions/1/publish", method: "POST").http == "200")

        // 1. The school's pupil page has the form; the code is shown once on the post's answer.
        let consents = try page("/app/pupils/\(vera)/consents", cookie: school)
        #expect(consents.http == "200", "\(consents)")
        #expect(consents.body.contains(#"<form method="post" action="/app/pupils/\#(vera)/activation-code">"#), "\(consents)")
        #expect(consents.body.contains("<button type=\"submit\">Выдать код активации</button>"))
        let csrf = try #require(consents.csrf)
        let forged = try page("/app/pupils/\(vera)/activation-code", method: "POST", cookie: school, form: [("_csrf", "forged")])
        #expect(forged.http == "403", "\(forged)")
        #expect(!forged.body.contains("activation-code\""))
        let issued = try page("/app/pupils/\(vera)/activation-code", method: "POST", cookie: school, form: [("_csrf", csrf)])
        #expect(issued.http == "201", "\(issued)")
        #expect(issued.headers["cache-control"] == "no-store")
        #expect(issued.headers["content-security-policy"] == SchoolPagesServeTests.pageCSP)
        #expect(issued.headers["location"] == nil)
        #expect(issued.body.contains("<h1>Код активации ученика</h1>"))
        let code = try #require(issued.body.firstMatch(of: #/<code id="activation-code">([A-Z0-9-]+)</code>/#).map { String($0.output.1) }, "\(issued)")
        #expect(issued.body.contains("Код активации выдан. Он показан один раз"))
        // The pupil's page shows no code afterwards.
        #expect(!(try page("/app/pupils/\(vera)/consents", cookie: school).body.contains(code)))
        // An unknown pupil: the vault's 404 in Russian; the navigator may not issue codes.
        let unknown = try page("/app/pupils/sub_AAAAAAAAAAAAAAAAAAAAAA/activation-code", method: "POST", cookie: school, form: [("_csrf", csrf)])
        #expect(unknown.http == "404", "\(unknown)")
        #expect(unknown.body.contains("Такого ученика в вашей школе нет."))
        let navigator = try OfficerPagesServeTests.signInThroughPages(run, port: port, "nav.a")
        let navigatorCSRF = try #require(try page("/app/home", cookie: navigator).csrf)
        let notSchool = try page("/app/pupils/\(vera)/activation-code", method: "POST", cookie: navigator, form: [("_csrf", navigatorCSRF)])
        #expect(notSchool.http == "403", "\(notSchool)")
        #expect(notSchool.body.contains("Эта страница для сотрудников школы."))

        // The code works once on the pupils' listener.
        func activate(_ login: String) throws -> Answer {
            let (form, cookies) = try PupilPagesServeTests.page(run, port: pupils, "/app/pupil/activate")
            let pre = try #require(PupilPagesServeTests.cookie(PupilPagesServeTests.preCookie, in: cookies))
            return try PupilPagesServeTests.page(
                run, port: pupils, "/app/pupil/activate", method: "POST", cookies: [PupilPagesServeTests.preCookie: pre],
                form: [
                    ("_csrf", try #require(form.csrf)), ("activation_code", code), ("login", login), ("password", "synthetic pupil pass 1"),
                    ("password_again", "synthetic pupil pass 1"),
                ]
            ).answer
        }
        let activated = try activate("vera.t")
        #expect(activated.http == "200", "\(activated)")
        #expect(activated.body.contains("Учётная запись активирована."))
        let again = try activate("vera.t2")
        #expect(again.http == "401", "\(again)")
        #expect(again.body.contains("Активация не выполнена"))
        // Once the account is active, a new code is refused in Russian (the API's 409 account-active).
        let active = try page("/app/pupils/\(vera)/activation-code", method: "POST", cookie: school, form: [("_csrf", csrf)])
        #expect(active.http == "409", "\(active)")
        #expect(active.body.contains("Ученик уже активировал учётную запись: новый код активации не нужен."))
        #expect(try call("workstation", schoolAPI, "/v1/pupils/\(vera)/activation-code", method: "POST").http == "409")
        // The code is in no log line of any process.
        let log = try String(contentsOf: run.directory.appendingPathComponent("serve.log"), encoding: .utf8)
        #expect(log.contains("bilet is ready"))
        #expect(!log.contains(code), "the activation code reached the log")

        // 2. The navigator's home links the test page; the page lists only the navigator's pupil.
        let home = try page("/app/home", cookie: navigator)
        #expect(home.body.contains(#"<li><a href="/app/navigator/tests">Назначить тест ученикам</a></li>"#), "\(home)")
        let tests = try page("/app/navigator/tests", cookie: navigator)
        #expect(tests.http == "200", "\(tests)")
        #expect(tests.headers["content-security-policy"] == SchoolPagesServeTests.pageCSP)
        #expect(tests.body.contains(#"<option value="\#(vera)">Тестова Вера Петровна (\#(vera))</option>"#), "\(tests)")
        #expect(!tests.body.contains(pavel), "only the navigator's own pupils")
        let listed = try #require(
            (json(try call("workstation", run.signIn(port: port, "nav.a", client: "workstation"), "/v1/assessment/tests").body)["tests"] as? [[String: Any]])?.first)
        let title = try #require(listed["title"] as? String)
        #expect(tests.body.contains(#"<option value="career-interests-7@1">\#(title) (career-interests-7, версия 1)</option>"#), "\(tests)")
        let form = try #require(tests.csrf)
        // Without the token nothing is assigned; without a pupil 422 next to the field.
        #expect(try page("/app/navigator/tests", method: "POST", cookie: navigator, form: [("pupil", vera), ("test", "career-interests-7@1")]).http == "403")
        let noPupil = try page("/app/navigator/tests", method: "POST", cookie: navigator, form: [("_csrf", form), ("pupil", ""), ("test", "career-interests-7@1")])
        #expect(noPupil.http == "422", "\(noPupil)")
        #expect(noPupil.body.contains(#"<p class="error" id="pupil-error">Выберите ученика.</p>"#))
        #expect(!noPupil.body.contains(#"id="test-error""#))
        #expect(noPupil.body.contains(#"<option value="career-interests-7@1" selected>"#), "the choice is kept")
        // Another school's pupil or one not assigned to the navigator: the vault's 404, nothing assigned.
        let notMine = try page("/app/navigator/tests", method: "POST", cookie: navigator, form: [("_csrf", form), ("pupil", pavel), ("test", "career-interests-7@1")])
        #expect(notMine.http == "404", "\(notMine)")
        #expect(notMine.body.contains("Такого ученика в вашей школе нет."))
        let unknownTest = try page("/app/navigator/tests", method: "POST", cookie: navigator, form: [("_csrf", form), ("pupil", vera), ("test", "no-such-test@1")])
        #expect(unknownTest.http == "404", "\(unknownTest)")
        #expect(unknownTest.body.contains("Такого теста нет."))
        // Assigned: 201, then the pupil sees it through the API; again 200 without a new one.
        let assigned = try page("/app/navigator/tests", method: "POST", cookie: navigator, form: [("_csrf", form), ("pupil", vera), ("test", "career-interests-7@1")])
        #expect(assigned.http == "201", "\(assigned)")
        #expect(assigned.body.contains("Тест «\(title)» назначен ученику \(vera)."), "\(assigned)")
        #expect(assigned.body.contains("<tr><th scope=\"row\">Тестова Вера Петровна</th><td><code>\(vera)</code></td></tr>"), "\(assigned)")
        // The names were read for assigning a test (`assessment`), never for recommendations, and no
        // module token was resolved for the page.
        func reads(_ purpose: String) throws -> String {
            try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND actor = 'user:\(navigatorID)' AND purpose = '\(purpose)'")
        }
        #expect(try reads("assessment") != "0")
        #expect(try reads("recommendation") == "0")
        #expect(try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'token.resolved' AND actor = 'user:\(navigatorID)' AND purpose = 'recommendation'") == "0")
        let pupilSession = try #require(
            json(try call(nil, nil, "/v1/pupil/sessions", port: pupils, method: "POST", body: #"{"login":"vera.t","password":"synthetic pupil pass 1"}"#).body)["token"] as? String)
        let mine = try call(nil, pupilSession, "/v1/pupil/assessment/assignments", port: pupils)
        let assignments = try #require(json(mine.body)["assignments"] as? [[String: Any]], "\(mine)")
        #expect(assignments.count == 1)
        #expect(assignments.first?["test"] as? String == "career-interests-7", "\(mine)")
        let twice = try page("/app/navigator/tests", method: "POST", cookie: navigator, form: [("_csrf", form), ("pupil", vera), ("test", "career-interests-7@1")])
        #expect(twice.http == "200", "\(twice)")
        #expect(twice.body.contains("уже был назначен ученику \(vera); новое назначение не создано."))
        #expect((json(try call(nil, pupilSession, "/v1/pupil/assessment/assignments", port: pupils).body)["assignments"] as? [Any])?.count == 1)

        // Another role: the school is refused the navigator's page and its post (the API's 403,
        // audited as a denial); the navigator the school's pupil page.
        let schoolCSRF = try #require(consents.csrf)
        #expect(try page("/app/navigator/tests", cookie: school).http == "403")
        let schoolPost = try page("/app/navigator/tests", method: "POST", cookie: school, form: [("_csrf", schoolCSRF), ("pupil", vera), ("test", "career-interests-7@1")])
        #expect(schoolPost.http == "403", "\(schoolPost)")
        #expect(schoolPost.body.contains("Политика доступа не разрешает это действие."))
        #expect(try page("/app/pupils/\(vera)/consents", cookie: navigator).http == "403")
        // No session: the sign-in.
        let signedOut = try SchoolPagesServeTests.page(run, port: port, "/app/navigator/tests")
        #expect(signedOut.http == "303")
        #expect(signedOut.headers["location"] == "/app/sign-in")
    }
}
