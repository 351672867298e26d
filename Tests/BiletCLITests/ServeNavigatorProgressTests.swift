import Assessment
import Foundation
import Testing
import ServeTestSupport

/// A navigator's per-pupil progress (`GET /v1/navigators/me/progress`) end to end through real
/// `bilet serve` and curl: the school registers three pupils and assigns them to navigator A (two
/// with a consent covering `recommendation`, one without); Vera takes a test and navigator A
/// publishes a recommendation for her. Navigator A sees the three, by name where the consent
/// covers it, with Vera's figures; no module token leaves the gateway; navigator B (same school,
/// not assigned) sees none; the school account is refused; every name read is a `pii.read`
/// record. Part of ``ServeCommandTests`` (serialised, run in the timed pass).
extension ServeCommandTests {
    @Test func navigatorSeesOwnAssignedPupilsProgressByName() async throws {
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

        let uploaded = try call("operator", methodologist, "/v1/assessment/tests", method: "POST", body: Self.text(ExampleTest.definition()))
        try #require(uploaded.http == "201", "\(uploaded)")
        let published = try call("operator", methodologist, "/v1/assessment/tests/career-interests-7/versions/1/publish", method: "POST")
        try #require(published.http == "200", "\(published)")

        // Three pupils assigned to navigator A; Nina's consent does not cover recommendation.
        func register(_ surname: String, _ first: String, _ number: String, purposes: String) throws -> String {
            let form = """
                {"pupil":{"surname":"\(surname)","first_name":"\(first)","patronymic":"Ивановна","birth_date":"2012-03-04","grade":"7","class":"А"},
                 "guardian":{"surname":"\(surname)","first_name":"Ольга","relation":"mother","phone":"+7 900 000-00-0\(number.suffix(1))"},
                 "consent":{"number":"\(number)/2026","signed_on":"2026-09-01","pupil_signed":true,"purposes":[\(purposes)]}}
                """
            let registered = try call("workstation", school, "/v1/pupils", method: "POST", body: form)
            try #require(registered.http == "201", "\(registered)")
            return try #require(json(registered.body)["token"] as? String)
        }
        let full = #""self_service","assessment","recommendation""#
        let vera = try register("Тестова", "Вера", "41", purposes: full)
        let pavel = try register("Примерова", "Павла", "42", purposes: full)
        let nina = try register("Скрытова", "Нина", "43", purposes: #""self_service","assessment""#)
        let navigatorID = try run.sql("SELECT id FROM accounts.accounts WHERE login = 'nav.a'")
        for pupil in [vera, pavel, nina] {
            let assigned = try call("workstation", school, "/v1/pupils/\(pupil)/navigators", method: "POST", body: #"{"navigator":"\#(navigatorID)"}"#)
            try #require(assigned.http == "201", "\(assigned)")
        }

        // Vera takes the test; navigator A publishes one of her recommendations.
        let assigned = try call(
            "workstation", navigatorA, "/v1/assessment/assignments", method: "POST",
            body: #"{"pupil":"\#(vera)","test":"career-interests-7","version":1}"#)
        try #require(assigned.http == "201", "\(assigned)")
        let veraSession = try run.signInPupil(workstations: port, pupils: pupilsPort, school: school, vera, login: "vera.p")
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
        let generated = try call("workstation", navigatorA, "/v1/recommendations/pupils/\(vera)/generate", method: "POST")
        try #require(generated.http == "201", "\(generated)")
        let first = try #require((json(generated.body)["recommendations"] as? [[String: Any]])?.first?["id"] as? Int, "\(generated)")
        let publish = try call("workstation", navigatorA, "/v1/recommendations/pupils/\(vera)/items/\(first)/publish", method: "POST")
        try #require(publish.http == "200", "\(publish)")

        // Vera's trials, seeded as the cluster owner (synthetic): seated at two past events, marked
        // present at one, absent at the other; a waiting-list place at a third does not count.
        let veraTrials = try run.sql(
            "SELECT m.token FROM vault.module_tokens m JOIN vault.subjects s ON s.id = m.subject_id WHERE s.token = '\(vera)' AND m.module = 'trials'")
        try #require(veraTrials.hasPrefix("trl_"), "\(veraTrials)")
        _ = try run.sql(
            """
            WITH place AS (
                INSERT INTO trials.places (venue, name, address, capacity, created_by)
                VALUES ('77-V01', 'Лаборатория', 'Москва, ул. Примерная, 1', 30, 'user:usr_seed') RETURNING id
            ), events AS (
                INSERT INTO trials.events (venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, format, status, created_by)
                SELECT '77-V01', '77', 'trial', 'Проба ' || g, now() - interval '10 days' + g * interval '1 day',
                       now() - interval '10 days' + g * interval '1 day' + interval '2 hours', place.id, 30, 'it', 'in_person', 'approved',
                       'user:usr_seed'
                FROM place, generate_series(1, 3) g RETURNING id, title
            ), seats AS (
                INSERT INTO trials.enrolments (event_id, pupil_token, state, enrolled_by, school)
                SELECT id, '\(veraTrials)', CASE WHEN title = 'Проба 3' THEN 'waiting' ELSE 'seated' END, 'user:usr_seed', '77-0001'
                FROM events RETURNING event_id
            )
            INSERT INTO trials.attendance (event_id, pupil_token, attended, marked_by)
            SELECT id, '\(veraTrials)', title = 'Проба 1', 'user:usr_seed' FROM events WHERE title IN ('Проба 1', 'Проба 2')
            """)

        let readsBefore = try run.sql(
            "SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND actor = 'user:\(navigatorID)' AND purpose = 'recommendation'")

        // Navigator A: the three, ordered by token, names where the consent covers them, no module token.
        let page = try call("workstation", navigatorA, "/v1/navigators/me/progress")
        #expect(page.http == "200", "\(page)")
        #expect(!page.body.contains("asm_") && !page.body.contains("trl_") && !page.body.contains("rec_"), "\(page.body)")
        let pupils = try #require(json(page.body)["pupils"] as? [[String: Any]], "\(page)")
        #expect(pupils.compactMap { $0["pupil"] as? String } == [vera, pavel, nina].sorted())
        #expect(json(page.body)["next"] == nil)
        let byToken = Dictionary(uniqueKeysWithValues: pupils.map { ($0["pupil"] as? String ?? "", $0) })
        let veraEntry = try #require(byToken[vera])
        #expect(veraEntry["surname"] as? String == "Тестова" && veraEntry["firstName"] as? String == "Вера", "\(veraEntry)")
        #expect(veraEntry["patronymic"] as? String == "Ивановна", "\(veraEntry)")
        #expect(veraEntry["nameWithheld"] == nil)
        #expect(veraEntry["testsAssigned"] as? Int == 1 && veraEntry["testsCompleted"] as? Int == 1, "\(veraEntry)")
        #expect(veraEntry["trialsEnrolled"] as? Int == 2 && veraEntry["trialsAttended"] as? Int == 1, "\(veraEntry)")
        #expect(veraEntry["recommendationPublished"] as? Bool == true, "\(veraEntry)")
        let pavelEntry = try #require(byToken[pavel])
        #expect(pavelEntry["trialsEnrolled"] as? Int == 0 && pavelEntry["trialsAttended"] as? Int == 0, "\(pavelEntry)")
        #expect(pavelEntry["surname"] as? String == "Примерова" && pavelEntry["firstName"] as? String == "Павла", "\(pavelEntry)")
        #expect(pavelEntry["testsAssigned"] as? Int == 0 && pavelEntry["testsCompleted"] as? Int == 0, "\(pavelEntry)")
        #expect(pavelEntry["recommendationPublished"] as? Bool == false, "\(pavelEntry)")
        let ninaEntry = try #require(byToken[nina])
        #expect(ninaEntry["nameWithheld"] as? String == "consent-missing", "\(ninaEntry)")
        #expect(ninaEntry["surname"] == nil && ninaEntry["firstName"] == nil && ninaEntry["patronymic"] == nil, "\(ninaEntry)")
        #expect(ninaEntry["testsAssigned"] as? Int == 0 && ninaEntry["recommendationPublished"] as? Bool == false, "\(ninaEntry)")
        #expect(!page.body.contains("Скрытова"))

        // Pages of two: a cursor, then the last pupil.
        let firstPage = try call("workstation", navigatorA, "/v1/navigators/me/progress?limit=2")
        #expect(firstPage.http == "200", "\(firstPage)")
        let cursor = try #require(json(firstPage.body)["next"] as? String, "\(firstPage)")
        #expect((json(firstPage.body)["pupils"] as? [[String: Any]])?.count == 2)
        let secondPage = try call("workstation", navigatorA, "/v1/navigators/me/progress?limit=2&after=\(cursor)")
        #expect((json(secondPage.body)["pupils"] as? [[String: Any]])?.compactMap { $0["pupil"] as? String } == [[vera, pavel, nina].sorted()[2]])
        #expect(json(secondPage.body)["next"] == nil, "\(secondPage)")
        #expect(try call("workstation", navigatorA, "/v1/navigators/me/progress?limit=101").http == "400")
        #expect(try call("workstation", navigatorA, "/v1/navigators/me/progress?after=nonsense").http == "400")

        // Navigator B, same school, not assigned: nothing. The school account: refused.
        let byB = try call("workstation", navigatorB, "/v1/navigators/me/progress")
        #expect(byB.http == "200", "\(byB)")
        #expect(byB.body == #"{"pupils":[]}"#, "\(byB.body)")
        let bySchool = try call("workstation", school, "/v1/navigators/me/progress")
        #expect(bySchool.http == "403", "\(bySchool)")
        #expect(json(bySchool.body)["code"] as? String == "forbidden")

        // The audit log: each of the two listings read each name once (Nina's a deny) and released
        // Pavel's three module tokens, none of Nina's.
        let reads = try run.sql(
            "SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND actor = 'user:\(navigatorID)' AND purpose = 'recommendation'")
        #expect(Int(reads)! - Int(readsBefore)! == 6, "three names on the full page, two then one on the pages of two")
        #expect(try run.sql(
            "SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND subject = '\(nina)' AND actor = 'user:\(navigatorID)' AND decision = 'deny'") == "2")
        #expect(try run.sql(
            "SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND subject = '\(pavel)' AND actor = 'user:\(navigatorID)' AND decision = 'permit'") == "2")
        #expect(try run.sql(
            "SELECT count(*) FROM audit.events WHERE kind = 'token.resolved' AND subject = '\(pavel)' AND actor = 'user:\(navigatorID)' AND decision = 'permit' AND purpose = 'recommendation'") == "6")
        #expect(try run.sql(
            "SELECT count(*) FROM audit.events WHERE kind = 'token.resolved' AND subject = '\(nina)' AND actor = 'user:\(navigatorID)'") == "0")

        #expect(try serve.terminate() == 0)
    }
}
