import Assessment
import Foundation
import PostgreSQL
import Testing
import ServeTestSupport

/// Recommendations end to end through real `bilet serve` and curl with the development
/// certificates: a methodologist publishes a test, the school registers two pupils (consents to
/// assessment and recommendation) and assigns them to navigator A, Vera takes the test; the
/// region's coordinator uploads an opportunity; navigator A generates Vera's recommendations (the
/// vault releases her recommendations token, then translates it for the recommendations service
/// into her assessment and trials tokens), edits one and publishes it; Vera reads only the
/// published one, Pavel reads none; navigator B, not assigned, is refused exactly like an unknown
/// token. Part of ``ServeCommandTests`` (serialised, run in the timed pass).
extension ServeCommandTests {
    @Test func navigatorGeneratesEditsPublishesPupilReadsRecommendations() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let pupilsPort = try #require(ports["pupils"])
        for (login, role, organisation, region) in [
            ("school.a", "school", "bilet://school/77-0001", "77"), ("nav.a", "navigator", "bilet://school/77-0001", "77"),
            ("nav.b", "navigator", "bilet://school/77-0001", "77"), ("method.one", "methodologist", "bilet://operator/op-1", nil),
            ("coord.77", "regional_coordinator", "bilet://region/77", "77"),
        ] as [(String, String, String, String?)] {
            let add = try run.addAccount(login, role: role, organisation: organisation, region: region)
            try #require(add.status == 0, "\(add.output)")
        }
        try run.initialiseVault()

        let json = ServeCommandTests.json
        func call(_ client: String, _ token: String, _ path: String, method: String = "GET", body: String? = nil) throws -> (http: String, body: String) {
            try run.call(port: port, client: client, token: token, path, method: method, type: body.map { _ in "application/json" }, body: body)
        }
        func pupilCall(_ token: String, _ path: String, method: String = "GET", body: String? = nil) throws -> (http: String, body: String) {
            try run.call(port: pupilsPort, client: nil, token: token, path, method: method, type: body.map { _ in "application/json" }, body: body)
        }
        let school = try run.signIn(port: port, "school.a", client: "workstation")
        let navigatorA = try run.signIn(port: port, "nav.a", client: "workstation")
        let navigatorB = try run.signIn(port: port, "nav.b", client: "workstation")
        let methodologist = try run.signIn(port: port, "method.one", client: "operator")
        let coordinator = try run.signIn(port: port, "coord.77", client: "region")

        // A published test.
        let uploaded = try call("operator", methodologist, "/v1/assessment/tests", method: "POST", body: Self.text(ExampleTest.definition()))
        try #require(uploaded.http == "201", "\(uploaded)")
        let published = try call("operator", methodologist, "/v1/assessment/tests/career-interests-7/versions/1/publish", method: "POST")
        try #require(published.http == "200", "\(published)")

        // Two pupils, both assigned to navigator A.
        func register(_ surname: String, _ first: String, _ number: String) throws -> String {
            let form = """
                {"pupil":{"surname":"\(surname)","first_name":"\(first)","birth_date":"2012-03-04","grade":"7","class":"А"},
                 "guardian":{"surname":"\(surname)","first_name":"Ольга","relation":"mother","phone":"+7 900 000-00-0\(number.suffix(1))"},
                 "consent":{"number":"\(number)/2026","signed_on":"2026-09-01","pupil_signed":true,
                            "purposes":["self_service","assessment","recommendation"]}}
                """
            let registered = try call("workstation", school, "/v1/pupils", method: "POST", body: form)
            try #require(registered.http == "201", "\(registered)")
            return try #require(json(registered.body)["token"] as? String)
        }
        let vera = try register("Тестова", "Вера", "31")
        let pavel = try register("Примеров", "Павел", "32")
        let navigatorID = try run.sql("SELECT id FROM accounts.accounts WHERE login = 'nav.a'")
        for pupil in [vera, pavel] {
            let assigned = try call("workstation", school, "/v1/pupils/\(pupil)/navigators", method: "POST", body: #"{"navigator":"\#(navigatorID)"}"#)
            try #require(assigned.http == "201", "\(assigned)")
        }

        // Vera takes the test: programming and IT score high.
        let assigned = try call(
            "workstation", navigatorA, "/v1/assessment/assignments", method: "POST",
            body: #"{"pupil":"\#(vera)","test":"career-interests-7","version":1}"#)
        try #require(assigned.http == "201", "\(assigned)")
        func signInPupil(_ token: String, _ login: String) throws -> String {
            try run.signInPupil(workstations: port, pupils: pupilsPort, school: school, token, login: login)
        }
        let veraSession = try signInPupil(vera, "vera.r")
        let pavelSession = try signInPupil(pavel, "pavel.r")
        let mine = try pupilCall(veraSession, "/v1/pupil/assessment/assignments")
        let assignmentID = try #require((json(mine.body)["assignments"] as? [[String: Any]])?.first?["id"] as? String, "\(mine)")
        let started = try pupilCall(veraSession, "/v1/pupil/assessment/assignments/\(assignmentID)/session", method: "POST")
        let sessionID = try #require(json(started.body)["id"] as? String, "\(started)")
        for (question, answer) in [
            ("q1", #"{"choice":"c"}"#), ("q2", #"{"choices":["a","c"]}"#), ("q3", #"{"value":5}"#), ("q4", #"{"value":4}"#),
            ("q5", #"{"order":["x","z","y"]}"#), ("q6", #"{"choice":"a"}"#),
        ] {
            let saved = try pupilCall(veraSession, "/v1/pupil/assessment/sessions/\(sessionID)/answers/\(question)", method: "PUT", body: answer)
            try #require(saved.http == "204", "\(question): \(saved)")
        }
        let submitted = try pupilCall(veraSession, "/v1/pupil/assessment/sessions/\(sessionID)/submit", method: "POST")
        try #require(submitted.http == "200", "\(submitted)")

        // The region's coordinator uploads an opportunity; a navigator may not.
        let opportunity = #"{"title":"Олимпиада по программированию","sphere":"it","competencies":["programming"],"startsAt":"2030-01-10T09:00:00Z","endsAt":"2030-01-20T18:00:00Z","link":"https://example.org/olymp"}"#
        let upload = try call("region", coordinator, "/v1/recommendations/opportunities", method: "POST", body: opportunity)
        #expect(upload.http == "201", "\(upload)")
        let uploadByNavigator = try call("workstation", navigatorA, "/v1/recommendations/opportunities", method: "POST", body: opportunity)
        #expect(uploadByNavigator.http == "403", "\(uploadByNavigator)")

        // Navigator A generates Vera's recommendations: the reasons name her test, in words she reads.
        let generated = try call("workstation", navigatorA, "/v1/recommendations/pupils/\(vera)/generate", method: "POST")
        #expect(generated.http == "201", "\(generated)")
        #expect(!generated.body.contains("asm_") && !generated.body.contains("trl_") && !generated.body.contains("rec_"))
        let items = try #require(json(generated.body)["recommendations"] as? [[String: Any]], "\(generated)")
        let kinds = items.compactMap { $0["kind"] as? String }
        #expect(kinds.contains("sphere") && kinds.contains("competency") && kinds.contains("opportunity"), "\(kinds)")
        let programming = try #require(items.first { $0["kind"] as? String == "competency" && $0["subject"] as? String == "programming" })
        #expect((programming["text"] as? String)?.contains("в тесте «Career interests, grade 7»") == true, "\(programming)")
        #expect(items.allSatisfy { $0["status"] as? String == "draft" })
        let first = try #require(items.first?["id"] as? Int)

        // Navigator B (not assigned) and an unknown token: the same 404; Pavel's pupil session sees nothing yet, nor Vera's.
        let byB = try call("workstation", navigatorB, "/v1/recommendations/pupils/\(vera)/generate", method: "POST")
        let unknown = try call(
            "workstation", navigatorA, "/v1/recommendations/pupils/sub_\(String(repeating: "A", count: 22))/generate", method: "POST")
        #expect(byB.http == "404", "\(byB)")
        #expect(json(byB.body)["code"] as? String == "pupil-not-found")
        #expect(byB.body == unknown.body)
        #expect(try call("workstation", navigatorB, "/v1/recommendations/pupils/\(vera)").http == "404")
        #expect(try call("workstation", school, "/v1/recommendations/pupils/\(vera)").http == "403")
        #expect(try pupilCall(veraSession, "/v1/pupil/recommendations").body == #"{"recommendations":[]}"#)

        // Edit and publish one; navigator B can do neither.
        let edited = try call(
            "workstation", navigatorA, "/v1/recommendations/pupils/\(vera)/items/\(first)", method: "PUT", body: #"{"text":"Вера, обрати внимание на ИТ."}"#)
        #expect(edited.http == "200", "\(edited)")
        #expect(json(edited.body)["text"] as? String == "Вера, обрати внимание на ИТ.")
        #expect(try call("workstation", navigatorB, "/v1/recommendations/pupils/\(vera)/items/\(first)/publish", method: "POST").http == "404")
        let publish = try call("workstation", navigatorA, "/v1/recommendations/pupils/\(vera)/items/\(first)/publish", method: "POST")
        #expect(publish.http == "200", "\(publish)")
        #expect(json(publish.body)["status"] as? String == "published")
        // Vera's item through Pavel's token: not found.
        #expect(try call("workstation", navigatorA, "/v1/recommendations/pupils/\(pavel)/items/\(first)/publish", method: "POST").http == "404")

        // Vera reads exactly the published one; Pavel reads none; without a session, nothing.
        let read = try pupilCall(veraSession, "/v1/pupil/recommendations")
        #expect(read.http == "200", "\(read)")
        let readItems = try #require(json(read.body)["recommendations"] as? [[String: Any]])
        #expect(readItems.compactMap { $0["id"] as? Int } == [first])
        #expect(readItems.first?["text"] as? String == "Вера, обрати внимание на ИТ.")
        #expect(try pupilCall(pavelSession, "/v1/pupil/recommendations").body == #"{"recommendations":[]}"#)
        #expect(try run.call(port: pupilsPort, client: nil, token: nil, "/v1/pupil/recommendations").http == "401")

        // The audit log: the gateway's records of the changes (by recommendations token), and the
        // vault's translations for the recommendations service.
        let audited = try run.sql(
            """
            SELECT string_agg(kind || ':' || coalesce(payload->>'change', '-') || ':' || written_by::text, ',' ORDER BY id) FROM audit.events
            WHERE kind IN ('recommendation.changed', 'recommendation.opportunity_uploaded')
            """)
        #expect(
            audited
                == "recommendation.opportunity_uploaded:-:bilet_gateway,recommendation.changed:generated:bilet_gateway,recommendation.changed:edited:bilet_gateway,recommendation.changed:published:bilet_gateway")
        let serviceTranslations = try run.sql(
            "SELECT count(*) FROM audit.events WHERE kind = 'token.resolved' AND actor = 'service:recommendations' AND subject = '\(vera)' AND decision = 'permit'")
        #expect(serviceTranslations == "2")

        // KPI, this month: every figure under 5 reads "<5"; at 5 the exact number. Vera's published
        // recommendation plus three seeded (synthetic tokens) is 4 pupils delivered; one more is 5.
        let month = String(ISO8601DateFormatter().string(from: Date()).prefix(7))
        func kpi(_ client: String, _ token: String, _ query: String) throws -> (http: String, figures: [String: Any]) {
            let answer = try call(client, token, "/v1/kpi?\(query)")
            let months = json(answer.body)["months"] as? [[String: Any]] ?? []
            return (answer.http, months.first { $0["month"] as? String == month } ?? [:])
        }
        func seedDelivered(_ from: Int, _ to: Int) throws {
            _ = try run.sql(
                """
                INSERT INTO recommendations.items (pupil_token, kind, subject, title, score, rank, reasons, text, status, school, region,
                                                   generated_by, published_by, published_at)
                SELECT 'rec_' || lpad(g::text, 22, 'K'), 'sphere', 'it', 'IT', 80, 1, '[]', 'Текст.', 'published', '77-0001', '77',
                       'user:usr_seed', 'user:usr_seed', now()
                FROM generate_series(\(from), \(to)) g
                """)
        }
        try seedDelivered(1, 3)
        let four = try kpi("workstation", school, "scope=school&id=77-0001")
        #expect(four.http == "200")
        #expect(four.figures["recommendationsDelivered"] as? String == "<5", "\(four)")
        #expect(four.figures["pupilsRegistered"] as? String == "<5", "\(four)")
        #expect(four.figures["consentsCollected"] as? String == "<5", "\(four)")
        try seedDelivered(4, 4)
        let five = try kpi("workstation", navigatorB, "scope=school&id=77-0001")
        #expect(five.http == "200")
        #expect(five.figures["recommendationsDelivered"] as? Int == 5, "\(five)")
        let region = try kpi("region", coordinator, "scope=region&id=77")
        #expect(region.http == "200")
        #expect(region.figures["recommendationsDelivered"] as? Int == 5, "\(region)")
        #expect(region.figures["testsCompleted"] as? String == "<5", "\(region)")
        // A navigator may not see the region's figures, nor a coordinator another region's.
        #expect(try call("workstation", navigatorA, "/v1/kpi?scope=region&id=77").http == "403")
        #expect(try call("region", coordinator, "/v1/kpi?scope=region&id=50").http == "403")
        #expect(try call("region", coordinator, "/v1/kpi?scope=galaxy&id=77").http == "400")

        #expect(try serve.terminate() == 0)
    }
}
