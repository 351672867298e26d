import Assessment
import Foundation
import Policy
import PostgreSQL
import Testing
import ServeTestSupport

/// Assessment end to end through real `bilet serve` and curl with the development certificates: a
/// methodologist publishes a test (an invalid definition is refused naming the question), a school
/// registers pupils, a navigator assigned to one of them assigns the test (the vault releases the
/// pupil's assessment token under policy and consent), the pupil activates, signs in, takes the
/// test across separate connections (resuming with the saved answers), submits and reads the
/// result and footprint. Refusals: a second attempt where the test allows one, another pupil's
/// session and results, a navigator assigning a pupil not assigned to them, a navigator uploading.
/// Part of ``ServeCommandTests`` (serialised, run in the timed pass).
extension ServeCommandTests {
    @Test func methodologistPublishesNavigatorAssignsPupilTakesTheTest() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let pupilsPort = try #require(ports["pupils"])
        var accounts: [String: String] = [:]
        for (login, role, organisation, region) in [
            ("school.a", "school", "bilet://school/77-0001", "77"), ("nav.a", "navigator", "bilet://school/77-0001", "77"),
            ("nav.b", "navigator", "bilet://school/77-0001", "77"), ("method.one", "methodologist", "bilet://operator/op-1", nil),
        ] as [(String, String, String, String?)] {
            let add = try run.addAccount(login, role: role, organisation: organisation, region: region)
            try #require(add.status == 0, "\(add.output)")
            let id = try #require(add.output.firstMatch(of: /\(user:(usr_[A-Za-z0-9_-]+)\)/)?.1, "\(add.output)")
            accounts[login] = String(id)
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
        let owner = try String(contentsOfFile: run.directory.path + "/pg/owner.password", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let pool = PostgresConnectionPool(
            configuration: PostgresConfiguration(
                connectionString: "host=\(run.directory.path)/pg/socket dbname=bilet user=postgres password=\(owner)"), maxConnections: 1)
        // The audit log refuses the gateway's assessment records while `false` (its writer grants
        // withdrawn, as a full or failing audit store would): every change must then roll back.
        func gatewayRecords(_ allowed: Bool) async throws {
            if allowed {
                try await pool.execute(
                    """
                    INSERT INTO audit.writer_kinds (writer, kind)
                    VALUES ('bilet_gateway', 'assessment.test_changed'), ('bilet_gateway', 'assessment.assigned') ON CONFLICT DO NOTHING
                    """)
            } else {
                try await pool.execute(
                    "DELETE FROM audit.writer_kinds WHERE writer = 'bilet_gateway' AND kind IN ('assessment.test_changed', 'assessment.assigned')")
            }
        }

        // The methodologist: an invalid definition is refused naming the question; a valid one is
        // uploaded and published, and is immutable from then on.
        var invalid = ExampleTest.definition()
        invalid.sections![1].questions![0].scale = TestDefinition.Scale(min: 5, max: 3)
        invalid.sections![0].questions![0].options![0].scores = ["sphere.astrology": 1]
        let refused = try call("operator", methodologist, "/v1/assessment/tests", method: "POST", body: Self.text(invalid))
        #expect(refused.http == "400", "\(refused)")
        #expect(json(refused.body)["code"] as? String == "invalid-definition")
        let issues = (json(refused.body)["issues"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(issues == [
            #"section 1, question "q1": option "a" scores unknown dimension "sphere.astrology""#,
            #"section 2, question "q3": scale min 5 is not below max 3"#,
        ])
        // While the audit log refuses the record, an upload answers 503 and stores nothing.
        try await gatewayRecords(false)
        let unaudited = try call("operator", methodologist, "/v1/assessment/tests", method: "POST", body: Self.text(ExampleTest.definition()))
        #expect(unaudited.http == "503", "\(unaudited)")
        #expect(json(unaudited.body)["code"] as? String == "audit-unavailable")
        #expect(try call("operator", methodologist, "/v1/assessment/tests").body == #"{"tests":[]}"#)
        try await gatewayRecords(true)
        let uploaded = try call("operator", methodologist, "/v1/assessment/tests", method: "POST", body: Self.text(ExampleTest.definition()))
        #expect(uploaded.http == "201", "\(uploaded)")
        #expect(json(uploaded.body)["state"] as? String == "draft")
        let byNavigator = try call("workstation", navigatorA, "/v1/assessment/tests", method: "POST", body: Self.text(ExampleTest.definition(version: 2)))
        #expect(byNavigator.http == "403", "\(byNavigator)")
        #expect(json(byNavigator.body)["code"] as? String == "forbidden")
        // A publication the audit log refuses does not stand: the retry publishes (not 409).
        try await gatewayRecords(false)
        let unauditedPublish = try call("operator", methodologist, "/v1/assessment/tests/career-interests-7/versions/1/publish", method: "POST")
        #expect(unauditedPublish.http == "503", "\(unauditedPublish)")
        #expect(json(unauditedPublish.body)["code"] as? String == "audit-unavailable")
        try await gatewayRecords(true)
        let published = try call("operator", methodologist, "/v1/assessment/tests/career-interests-7/versions/1/publish", method: "POST")
        #expect(published.http == "200", "\(published)")
        #expect(json(published.body)["state"] as? String == "published")
        let again = try call("operator", methodologist, "/v1/assessment/tests/career-interests-7/versions/1/publish", method: "POST")
        #expect(again.http == "409")
        #expect(json(again.body)["code"] as? String == "version-published")
        let listed = try call("workstation", navigatorA, "/v1/assessment/tests")
        #expect(listed.http == "200", "\(listed)")
        #expect((json(listed.body)["tests"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["career-interests-7"])

        // The school registers two pupils whose forms consent to self_service and assessment.
        func register(_ surname: String, _ first: String, _ number: String) throws -> String {
            let form = """
                {"pupil":{"surname":"\(surname)","first_name":"\(first)","birth_date":"2012-03-04","grade":"7","class":"А"},
                 "guardian":{"surname":"\(surname)","first_name":"Ольга","relation":"mother","phone":"+7 900 000-00-0\(number.suffix(1))"},
                 "consent":{"number":"\(number)/2026","signed_on":"2026-09-01","pupil_signed":true,"purposes":["self_service","assessment"]}}
                """
            let registered = try call("workstation", school, "/v1/pupils", method: "POST", body: form)
            try #require(registered.http == "201", "\(registered)")
            return try #require(json(registered.body)["token"] as? String)
        }
        let vera = try register("Тестова", "Вера", "21")
        let pavel = try register("Примеров", "Павел", "22")

        // The school assigned Vera to navigator A (the fact the policy reads; no route writes it yet).
        try await pool.withConnection { connection in
            try await RelationshipStore(connection: connection).assert(
                Relationship(
                    "assigned_navigator", subject: EntityRef("pupil", vera), object: EntityRef("user", try #require(accounts["nav.a"])),
                    validFrom: Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970) - 3600)))
        }

        // Navigator A assigns the test to Vera; not to Pavel (not assigned to A), and navigator B
        // cannot assign Vera: both answer exactly like an unknown token. An assignment the audit log
        // refuses answers 503 and is not stored (Vera's list below holds one assignment).
        let assignment = #"{"pupil":"\#(vera)","test":"career-interests-7","version":1,"due":"2026-12-31T18:00:00Z"}"#
        try await gatewayRecords(false)
        let unauditedAssignment = try call("workstation", navigatorA, "/v1/assessment/assignments", method: "POST", body: assignment)
        #expect(unauditedAssignment.http == "503", "\(unauditedAssignment)")
        #expect(json(unauditedAssignment.body)["code"] as? String == "audit-unavailable")
        try await gatewayRecords(true)
        await pool.shutdown()
        let assigned = try call("workstation", navigatorA, "/v1/assessment/assignments", method: "POST", body: assignment)
        #expect(assigned.http == "201", "\(assigned)")
        #expect(!assigned.body.contains(vera) && !assigned.body.contains("asm_"))
        // Assigning the same version again (a retry) returns the same assignment: no fresh attempts.
        let reassigned = try call("workstation", navigatorA, "/v1/assessment/assignments", method: "POST", body: assignment)
        #expect(reassigned.http == "200", "\(reassigned)")
        #expect(json(reassigned.body)["id"] as? String == json(assigned.body)["id"] as? String)
        #expect(json(reassigned.body)["id"] != nil)
        let notMine = try call(
            "workstation", navigatorA, "/v1/assessment/assignments", method: "POST",
            body: #"{"pupil":"\#(pavel)","test":"career-interests-7","version":1}"#)
        let notAssigned = try call("workstation", navigatorB, "/v1/assessment/assignments", method: "POST", body: assignment)
        let unknown = try call(
            "workstation", navigatorA, "/v1/assessment/assignments", method: "POST",
            body: #"{"pupil":"sub_\#(String(repeating: "A", count: 22))","test":"career-interests-7","version":1}"#)
        for refusal in [notMine, notAssigned] {
            #expect(refusal.http == "404", "\(refusal)")
            #expect(refusal.body == unknown.body)
            #expect(json(refusal.body)["code"] as? String == "pupil-not-found")
        }
        let bySchool = try call("workstation", school, "/v1/assessment/assignments", method: "POST", body: assignment)
        #expect(bySchool.http == "403", "\(bySchool)")

        // Both pupils get their accounts and sign in on the pupils' listener.
        func signInPupil(_ token: String, _ login: String) throws -> String {
            try run.signInPupil(workstations: port, pupils: pupilsPort, school: school, token, login: login)
        }
        let veraSession = try signInPupil(vera, "vera.t")
        let pavelSession = try signInPupil(pavel, "pavel.p")

        // Vera sees her assignment and starts; the test comes without its scores.
        let mine = try pupilCall(veraSession, "/v1/pupil/assessment/assignments")
        #expect(mine.http == "200", "\(mine)")
        #expect((json(mine.body)["assignments"] as? [[String: Any]])?.count == 1, "\(mine)")
        let assignmentID = try #require((json(mine.body)["assignments"] as? [[String: Any]])?.first?["id"] as? String)
        let started = try pupilCall(veraSession, "/v1/pupil/assessment/assignments/\(assignmentID)/session", method: "POST")
        #expect(started.http == "200", "\(started)")
        #expect(!started.body.contains("scores") && !started.body.contains("sphere."))
        let sessionID = try #require(json(started.body)["id"] as? String)
        #expect(try pupilCall(veraSession, "/v1/pupil/assessment/sessions/\(sessionID)/answers/q1", method: "PUT", body: #"{"choice":"c"}"#).http == "204")
        #expect(try pupilCall(veraSession, "/v1/pupil/assessment/sessions/\(sessionID)/answers/q3", method: "PUT", body: #"{"value":5}"#).http == "204")
        let wrong = try pupilCall(veraSession, "/v1/pupil/assessment/sessions/\(sessionID)/answers/q3", method: "PUT", body: #"{"value":9}"#)
        #expect(wrong.http == "422")
        #expect(json(wrong.body)["code"] as? String == "invalid-answer")

        // "Disconnected": a new connection resumes the same session with the saved answers.
        let resumed = try pupilCall(veraSession, "/v1/pupil/assessment/assignments/\(assignmentID)/session", method: "POST")
        #expect(json(resumed.body)["id"] as? String == sessionID)
        #expect((json(resumed.body)["answers"] as? [[String: Any]])?.compactMap { $0["question"] as? String } == ["q1", "q3"])
        for (question, answer) in [("q2", #"{"choices":["a","c"]}"#), ("q4", #"{"value":4}"#), ("q5", #"{"order":["x","z","y"]}"#), ("q6", #"{"choice":"a"}"#)] {
            let saved = try pupilCall(veraSession, "/v1/pupil/assessment/sessions/\(sessionID)/answers/\(question)", method: "PUT", body: answer)
            #expect(saved.http == "204", "\(question): \(saved)")
        }

        // Pavel can neither read, answer nor submit Vera's session: it is as unknown to him as any id.
        let foreignSession = try pupilCall(pavelSession, "/v1/pupil/assessment/sessions/\(sessionID)")
        let unknownSession = try pupilCall(pavelSession, "/v1/pupil/assessment/sessions/\(UUID().uuidString.lowercased())")
        #expect(foreignSession.http == "404")
        #expect(foreignSession.body == unknownSession.body)
        #expect(json(foreignSession.body)["code"] as? String == "session-not-found")
        #expect(try pupilCall(pavelSession, "/v1/pupil/assessment/sessions/\(sessionID)/answers/q1", method: "PUT", body: #"{"choice":"a"}"#).http == "404")
        #expect(try pupilCall(pavelSession, "/v1/pupil/assessment/sessions/\(sessionID)/submit", method: "POST").http == "404")
        #expect(try pupilCall(pavelSession, "/v1/pupil/assessment/assignments/\(assignmentID)/session", method: "POST").http == "404")

        // Vera submits and reads her result and footprint.
        let submitted = try pupilCall(veraSession, "/v1/pupil/assessment/sessions/\(sessionID)/submit", method: "POST")
        #expect(submitted.http == "200", "\(submitted)")
        #expect(json(submitted.body)["outcome"] as? String == "submitted")
        #expect(json(submitted.body)["answered"] as? Int == 6)
        let scores = try #require(json(submitted.body)["scores"] as? [String: Int])
        #expect(scores["competency.programming"] == 100 && scores["soft.teamwork"] == 100)
        let results = try pupilCall(veraSession, "/v1/pupil/assessment/results")
        #expect((json(results.body)["results"] as? [[String: Any]])?.count == 1)
        let footprint = try pupilCall(veraSession, "/v1/pupil/assessment/footprint")
        #expect(footprint.http == "200", "\(footprint)")
        let values = (json(footprint.body)["values"] as? [[String: Any]]) ?? []
        #expect(values.contains { $0["dimension"] as? String == "soft.teamwork" && $0["value"] as? Int == 100 })
        let history = (json(footprint.body)["history"] as? [[String: Any]]) ?? []
        #expect(!history.isEmpty && history.allSatisfy { $0["session"] as? String == sessionID })

        // A second attempt where the test allows one is refused.
        let second = try pupilCall(veraSession, "/v1/pupil/assessment/assignments/\(assignmentID)/session", method: "POST")
        #expect(second.http == "409", "\(second)")
        #expect(json(second.body)["code"] as? String == "attempts-exhausted")
        // Pavel's own results and footprint are his (empty): Vera's are not among them.
        #expect(try pupilCall(pavelSession, "/v1/pupil/assessment/results").body == #"{"results":[]}"#)
        #expect(try pupilCall(pavelSession, "/v1/pupil/assessment/footprint").body == #"{"history":[],"values":[]}"#)
        #expect(try pupilCall(pavelSession, "/v1/pupil/assessment/assignments").body == #"{"assignments":[]}"#)
        // Without a pupil session, nothing.
        #expect(try run.call(port: pupilsPort, client: nil, token: nil, "/v1/pupil/assessment/results").http == "401")

        // The audit log holds the upload, the publication and the assignment (written by the
        // gateway), and each assessment token the vault released (token.resolved, navigator and pupil).
        let auditPool = PostgresConnectionPool(
            configuration: PostgresConfiguration(
                connectionString: "host=\(run.directory.path)/pg/socket dbname=bilet user=postgres password=\(owner)"), maxConnections: 1)
        let audited = try await auditPool.query(
            """
            SELECT kind || ':' || coalesce(subject, '-') || ':' || written_by::text FROM audit.events
            WHERE kind IN ('assessment.test_changed', 'assessment.assigned') ORDER BY id
            """).map { try $0.decode(String.self, at: 0) }
        let resolved = try await auditPool.query(
            "SELECT count(*)::integer FROM audit.events WHERE kind = 'token.resolved' AND subject = \(vera) AND decision = 'permit'"
        ).singleValue(Int.self)
        await auditPool.shutdown()
        #expect(audited == [
            "assessment.test_changed:-:bilet_gateway", "assessment.test_changed:-:bilet_gateway", "assessment.assigned:\(vera):bilet_gateway",
        ])
        #expect(resolved >= 2)

        #expect(try serve.terminate() == 0)
    }

    /// A definition as its JSON text.
    static func text(_ definition: TestDefinition) throws -> String {
        String(decoding: try JSONEncoder().encode(definition), as: UTF8.self)
    }
}
