import Assessment
import Foundation
import Policy
import PostgreSQL
import Testing
import ServeTestSupport

/// The pupil's test-taking path through real `bilet serve` and curl (attack review #4): a pupil's
/// requests resolve the assessment token once per session (one `token.resolved` record, not one per
/// request), a consent withdrawal takes effect once the cached token's time
/// (`gateway.pupil_token_ttl_seconds`) is up, and a pupil flooding the pupils' listener is answered
/// `429 rate-limited` with `Retry-After` while another pupil is served as usual.
/// Part of ``ServeCommandTests`` (serialised, run in the timed pass).
extension ServeCommandTests {
    @Test func pupilPathResolvesTheTokenOncePerSessionAndIsRateLimited() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let ttl = 4
        let process = try BiletProcess.start(
            ["serve", "--config", run.config],
            environment: run.environment.merging([
                "BILET_GATEWAY_PUPIL_TOKEN_TTL_SECONDS": "\(ttl)", "BILET_GATEWAY_PUPIL_SESSION_RATE": "5/20",
            ]) { $1 },
            log: run.directory.appendingPathComponent("serve.log"))
        defer { process.stopIfRunning() }
        let lines = try await process.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        var ports: [String: Int] = [:]
        for record in ServeCommandTests.records(lines, message: "gateway listening") {
            if let name = record["tls.listener"] as? String, let port = (record["port"] as? String).flatMap(Int.init) { ports[name] = port }
        }
        let port = try #require(ports["workstations"])
        let pupilsPort = try #require(ports["pupils"])
        var accounts: [String: String] = [:]
        for (login, role, organisation, region) in [
            ("school.a", "school", "bilet://school/77-0001", "77"), ("nav.a", "navigator", "bilet://school/77-0001", "77"),
            ("method.one", "methodologist", "bilet://operator/op-1", nil),
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
        let navigator = try run.signIn(port: port, "nav.a", client: "workstation")
        let methodologist = try run.signIn(port: port, "method.one", client: "operator")
        #expect(try call("operator", methodologist, "/v1/assessment/tests", method: "POST", body: Self.text(ExampleTest.definition())).http == "201")
        #expect(try call("operator", methodologist, "/v1/assessment/tests/career-interests-7/versions/1/publish", method: "POST").http == "200")

        let owner = try String(contentsOfFile: run.directory.path + "/pg/owner.password", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let pool = PostgresConnectionPool(
            configuration: PostgresConfiguration(
                connectionString: "host=\(run.directory.path)/pg/socket dbname=bilet user=postgres password=\(owner)"), maxConnections: 1)
        defer { Task { await pool.shutdown() } }
        func resolved(_ pupil: String) async throws -> Int {
            try await pool.query(
                "SELECT count(*)::integer FROM audit.events WHERE kind = 'token.resolved' AND subject = \(pupil) AND decision = 'permit'"
            ).singleValue(Int.self)
        }

        // Two pupils consenting to self_service and assessment, assigned to the navigator, each
        // assigned the test, each signed in on the pupils' listener.
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
        func signInPupil(_ token: String, _ login: String) throws -> String {
            let issued = try call("workstation", school, "/v1/pupils/\(token)/activation-code", method: "POST")
            try #require(issued.http == "201", "\(issued)")
            let code = try #require(json(issued.body)["activation_code"] as? String)
            let activated = try run.call(
                port: pupilsPort, client: nil, token: nil, "/v1/pupil/activate", method: "POST", type: "application/json",
                body: #"{"activation_code":"\#(code)","login":"\#(login)","password":"synthetic pupil pass 1"}"#)
            try #require(activated.http == "204", "\(activated)")
            let signedIn = try run.call(
                port: pupilsPort, client: nil, token: nil, "/v1/pupil/sessions", method: "POST", type: "application/json",
                body: #"{"login":"\#(login)","password":"synthetic pupil pass 1"}"#)
            return try #require(json(signedIn.body)["token"] as? String, "\(signedIn)")
        }
        var sessions: [String: String] = [:]
        var pupils: [String: String] = [:]
        for (surname, first, number, login) in [("Тестова", "Вера", "31", "vera.t"), ("Примеров", "Павел", "32", "pavel.p")] {
            let pupil = try register(surname, first, number)
            try await pool.withConnection { connection in
                try await RelationshipStore(connection: connection).assert(
                    Relationship(
                        "assigned_navigator", subject: EntityRef("pupil", pupil), object: EntityRef("user", try #require(accounts["nav.a"])),
                        validFrom: Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970) - 3600)))
            }
            let assigned = try call(
                "workstation", navigator, "/v1/assessment/assignments", method: "POST",
                body: #"{"pupil":"\#(pupil)","test":"career-interests-7","version":1}"#)
            try #require(assigned.http == "201", "\(assigned)")
            pupils[login] = pupil
            sessions[login] = try signInPupil(pupil, login)
        }
        let vera = try #require(pupils["vera.t"])
        let veraSession = try #require(sessions["vera.t"])
        let pavelSession = try #require(sessions["pavel.p"])

        // Vera's eight requests: one token.resolved record (the navigator's assignment made the first).
        let before = try await resolved(vera)
        let mine = try pupilCall(veraSession, "/v1/pupil/assessment/assignments")
        #expect(mine.http == "200", "\(mine)")
        let assignmentID = try #require((json(mine.body)["assignments"] as? [[String: Any]])?.first?["id"] as? String)
        let started = try pupilCall(veraSession, "/v1/pupil/assessment/assignments/\(assignmentID)/session", method: "POST")
        #expect(started.http == "200", "\(started)")
        let sessionID = try #require(json(started.body)["id"] as? String)
        for (question, answer) in [("q1", #"{"choice":"c"}"#), ("q3", #"{"value":5}"#), ("q4", #"{"value":4}"#)] {
            let saved = try pupilCall(veraSession, "/v1/pupil/assessment/sessions/\(sessionID)/answers/\(question)", method: "PUT", body: answer)
            #expect(saved.http == "204", "\(question): \(saved)")
        }
        #expect(try pupilCall(veraSession, "/v1/pupil/assessment/sessions/\(sessionID)").http == "200")
        #expect(try pupilCall(veraSession, "/v1/pupil/assessment/results").http == "200")
        #expect(try pupilCall(veraSession, "/v1/pupil/assessment/footprint").http == "200")
        #expect(try await resolved(vera) == before + 1)

        // Pavel floods: 60 requests on one keep-alive connection. Past his burst of 20 (5 a second)
        // they are answered 429 rate-limited with Retry-After; Vera is served meanwhile.
        var arguments = [
            "-sS", "-i", "--max-time", "30", "--cacert", run.certs + "/gateway/ca-bundle.pem", "-H", "Authorization: Bearer \(pavelSession)",
        ]
        arguments += Array(repeating: "https://127.0.0.1:\(pupilsPort)/v1/pupil/assessment/assignments", count: 60)
        let flood = try BiletProcess.run(arguments, environment: [:], executable: URL(fileURLWithPath: "/usr/bin/curl"))
        // Bodies end without a newline: each status line is found where it starts, not per line.
        // (curl speaks HTTP/2 to the gateway; HTTP/1.1 when told so)
        let statuses = flood.output.matches(of: /HTTP\/(?:1\.1|2) ([0-9]{3})/).map { String($0.1) }
        #expect(statuses.count == 60, "\(flood.output.prefix(2000))")
        let refused = statuses.filter { $0 == "429" }.count
        #expect(refused >= 30 && statuses.allSatisfy { $0 == "200" || $0 == "429" }, "\(statuses)")
        #expect(flood.output.lowercased().contains("retry-after: 1"))
        #expect(flood.output.contains(#""code":"rate-limited""#))
        let unaffected = try pupilCall(veraSession, "/v1/pupil/assessment/sessions/\(sessionID)")
        #expect(unaffected.http == "200", "\(unaffected)")

        // The school withdraws Vera's assessment consent: once the cached token's time is up, her
        // requests are refused (the vault decides again, with the consent gone).
        let consents = try call("workstation", school, "/v1/pupils/\(vera)/consents")
        let assessment = try #require(
            (json(consents.body)["consents"] as? [[String: Any]])?.first { $0["scope"] as? String == "assessment" }?["consent"] as? String,
            "\(consents)")
        let withdrawn = try call("workstation", school, "/v1/pupils/\(vera)/consents/\(assessment)/withdrawal", method: "POST")
        #expect(withdrawn.http == "200", "\(withdrawn)")
        try await Task.sleep(for: .seconds(ttl + 1))
        let refusedAfter = try pupilCall(veraSession, "/v1/pupil/assessment/sessions/\(sessionID)")
        #expect(refusedAfter.http == "403", "\(refusedAfter)")
        #expect(json(refusedAfter.body)["code"] as? String == "consent-withdrawn", "\(refusedAfter)")

        // Logout ends Pavel's session (and the gateway forgets his token).
        #expect(try pupilCall(pavelSession, "/v1/pupil/sessions/current", method: "DELETE").http == "204")
        #expect(try pupilCall(pavelSession, "/v1/pupil/assessment/assignments").http == "401")
        #expect(try process.terminate() == 0)
    }
}
