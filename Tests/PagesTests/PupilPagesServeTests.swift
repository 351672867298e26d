import Assessment
import Foundation
import ServeTestSupport
import Testing

/// The pupils' pages through a real `bilet serve` (gateway, vault, CA and sequencer processes, a
/// throwaway PostgreSQL) and curl on the pupils' listener without a client certificate, as a
/// pupil's phone uses them: activating, signing in (the pre-session CSRF binding), the cookies
/// that must not cross between staff and pupils, taking a test with its answers saved, and "who
/// has accessed my data" with a downloaded proof that `bilet audit verify-proof` accepts (and a
/// tampered one it refuses). Synthetic data only.
@Suite(.serialized) struct PupilPagesServeTests {
    typealias Answer = SchoolPagesServeTests.Answer

    /// A request on `port` presenting `client`'s certificate (none by default: the pupils'
    /// listener), with `cookies` and a form of `fields`; every `Set-Cookie` of the answer in `setCookies`.
    static func page(
        _ run: ServeRun, port: Int, client: String? = nil, _ path: String, method: String = "GET", cookies: [String: String] = [:],
        form: [(String, String)]? = nil, bearer: String? = nil
    ) throws -> (answer: Answer, setCookies: [String]) {
        let headerFile = run.directory.path + "/headers-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: headerFile) }
        var extra = ["-X", method, "-D", headerFile]
        if !cookies.isEmpty { extra += ["-H", "Cookie: " + cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")] }
        if let bearer { extra += ["-H", "Authorization: Bearer \(bearer)"] }
        if let form {
            let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
            extra += ["-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body]
        }
        let answer = try run.curl(port: port, path: path, client: client, extra: extra)
        var headers: [String: String] = [:]
        var setCookies: [String] = []
        for line in ((try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? "").split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = value
            if name == "set-cookie" { setCookies.append(value) }
        }
        return (Answer(http: answer.http, headers: headers, body: answer.body), setCookies)
    }

    /// The value of cookie `name` set by `setCookies`.
    static func cookie(_ name: String, in setCookies: [String]) -> String? {
        setCookies.compactMap { line -> String? in
            guard line.hasPrefix(name + "=") else { return nil }
            return String(line.dropFirst(name.count + 1).prefix { $0 != ";" })
        }.first
    }

    static let pupilCookie = "__Host-bilet-pupil"
    static let staffCookie = "__Host-bilet-session"
    static let preCookie = "__Host-bilet-pre"
    static let attributes = "Path=/; Secure; HttpOnly; SameSite=Strict"

    @Test("a pupil activates, signs in, takes a test and sees who accessed their data with a proof that verifies")
    func pupilWorksThroughThePages() async throws {
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
        func call(_ client: String, _ token: String, _ path: String, method: String = "GET", body: String? = nil) throws -> (http: String, body: String) {
            try run.call(port: port, client: client, token: token, path, method: method, type: body.map { _ in "application/json" }, body: body)
        }

        // A school registers two pupils, assigns its navigator to the first, who assigns a published test.
        let school = try run.signIn(port: port, "school.a", client: "workstation")
        let navigator = try run.signIn(port: port, "nav.a", client: "workstation")
        let methodologist = try run.signIn(port: port, "method.one", client: "operator")
        func register(_ surname: String, _ first: String, _ number: String) throws -> String {
            try run.registerPupil(
                port: port, token: school, surname: surname, firstName: first, number: number, purposes: ["self_service", "assessment", "recommendation"])
        }
        let vera = try register("Тестова", "Вера", "31")
        let pavel = try register("Примеров", "Павел", "32")
        let navigatorID = try #require(accounts["nav.a"])
        let navigatorAssigned = try call("workstation", school, "/v1/pupils/\(vera)/navigators", method: "POST", body: #"{"navigator":"\#(navigatorID)"}"#)
        #expect(navigatorAssigned.http == "201", "\(navigatorAssigned)")
        let definition = String(decoding: try JSONEncoder().encode(ExampleTest.definition()), as: UTF8.self)
        #expect(try call("operator", methodologist, "/v1/assessment/tests", method: "POST", body: definition).http == "201")
        #expect(try call("operator", methodologist, "/v1/assessment/tests/career-interests-7/versions/1/publish", method: "POST").http == "200")
        let assigned = try call(
            "workstation", navigator, "/v1/assessment/assignments", method: "POST",
            body: #"{"pupil":"\#(vera)","test":"career-interests-7","version":1,"due":"2030-12-31T18:00:00Z"}"#)
        #expect(assigned.http == "201", "\(assigned)")

        // Activation: the page sets the pre-session cookie; a post without it, or with another
        // pre-session's token, is 403 and activates nothing; with both, the account is active.
        let issued = try call("workstation", school, "/v1/pupils/\(vera)/activation-code", method: "POST")
        let code = try #require(json(issued.body)["activation_code"] as? String, "\(issued)")
        let (activatePage, activateCookies) = try Self.page(run, port: pupils, "/app/pupil/activate")
        #expect(activatePage.http == "200", "\(activatePage)")
        #expect(activatePage.headers["content-security-policy"] == SchoolPagesServeTests.pageCSP)
        #expect(activatePage.body.contains("<h1>Активация учётной записи</h1>"))
        let pre = try #require(Self.cookie(Self.preCookie, in: activateCookies))
        #expect(activateCookies == ["\(Self.preCookie)=\(pre); \(Self.attributes)"])
        let activateToken = try #require(activatePage.csrf)
        let activation = [("activation_code", code), ("login", "vera.t"), ("password", "synthetic pupil pass 1"), ("password_again", "synthetic pupil pass 1")]
        let noPre = try Self.page(run, port: pupils, "/app/pupil/activate", method: "POST", form: [("_csrf", activateToken)] + activation)
        #expect(noPre.answer.http == "403", "\(noPre.answer)")
        let (otherPage, otherCookies) = try Self.page(run, port: pupils, "/app/pupil/activate")
        let otherPre = try #require(Self.cookie(Self.preCookie, in: otherCookies))
        #expect(otherPre != pre)
        let crossed = try Self.page(
            run, port: pupils, "/app/pupil/activate", method: "POST", cookies: [Self.preCookie: otherPre], form: [("_csrf", activateToken)] + activation)
        #expect(crossed.answer.http == "403", "\(crossed.answer)")
        #expect(otherPage.csrf != activateToken)
        let mismatch = try Self.page(
            run, port: pupils, "/app/pupil/activate", method: "POST", cookies: [Self.preCookie: pre],
            form: [("_csrf", activateToken), ("activation_code", code), ("login", "vera.t"), ("password", "synthetic pupil pass 1"), ("password_again", "другой пароль 12345")])
        #expect(mismatch.answer.http == "422", "\(mismatch.answer)")
        #expect(mismatch.answer.body.contains("Пароли не совпадают."))
        let badCode = try Self.page(
            run, port: pupils, "/app/pupil/activate", method: "POST", cookies: [Self.preCookie: pre],
            form: [("_csrf", activateToken), ("activation_code", "AAAA-AAAA-AAAA"), ("login", "vera.t"), ("password", "synthetic pupil pass 1"), ("password_again", "synthetic pupil pass 1")])
        #expect(badCode.answer.http == "401", "\(badCode.answer)")
        #expect(badCode.answer.body.contains("Активация не выполнена"))
        let activated = try Self.page(run, port: pupils, "/app/pupil/activate", method: "POST", cookies: [Self.preCookie: pre], form: [("_csrf", activateToken)] + activation)
        #expect(activated.answer.http == "200", "\(activated.answer)")
        #expect(activated.answer.body.contains("Учётная запись активирована."))
        // The pupils' pages are not served to a workstation: 404 as an unknown route.
        #expect(try Self.page(run, port: port, client: "workstation", "/app/pupil/sign-in").answer.http == "404")

        // Signing in: without the pre-session 403; a wrong password 401; then the session cookie.
        let (signInPage, signInCookies) = try Self.page(run, port: pupils, "/app/pupil/sign-in")
        #expect(signInPage.http == "200", "\(signInPage)")
        let signInPre = try #require(Self.cookie(Self.preCookie, in: signInCookies))
        let signInToken = try #require(signInPage.csrf)
        let credentials = [("login", "vera.t"), ("password", "synthetic pupil pass 1")]
        #expect(try Self.page(run, port: pupils, "/app/pupil/sign-in", method: "POST", form: [("_csrf", signInToken)] + credentials).answer.http == "403")
        let wrong = try Self.page(
            run, port: pupils, "/app/pupil/sign-in", method: "POST", cookies: [Self.preCookie: signInPre],
            form: [("_csrf", signInToken), ("login", "vera.t"), ("password", "wrong pupil pass 1")])
        #expect(wrong.answer.http == "401", "\(wrong.answer)")
        #expect(wrong.answer.body.contains("Вход не выполнен"))
        #expect(wrong.setCookies.isEmpty)
        // The refused code and password hold this address back for a growing delay (1 s, then 2 s),
        // as on the API: within it even the right password is refused.
        try await Task.sleep(for: .seconds(4))
        let signedIn = try Self.page(
            run, port: pupils, "/app/pupil/sign-in", method: "POST", cookies: [Self.preCookie: signInPre], form: [("_csrf", signInToken)] + credentials)
        #expect(signedIn.answer.http == "303", "\(signedIn.answer)")
        #expect(signedIn.answer.headers["location"] == "/app/pupil/home")
        let session = try #require(Self.cookie(Self.pupilCookie, in: signedIn.setCookies))
        #expect(signedIn.setCookies.contains("\(Self.pupilCookie)=\(session); \(Self.attributes)"))
        #expect(signedIn.setCookies.contains("\(Self.preCookie)=; Max-Age=0; \(Self.attributes)"))
        #expect(session.wholeMatch(of: /[A-Za-z0-9_-]{43}/) != nil)
        let pupilCookies = [Self.pupilCookie: session]
        let home = try Self.page(run, port: pupils, "/app/pupil/home", cookies: pupilCookies).answer
        #expect(home.http == "200", "\(home)")
        #expect(home.body.contains("<h1>Личный кабинет</h1>"))

        // Cookies do not cross: the pupil's token in the staff cookie, or on a workstation, is no
        // session; a staff page session in the pupil cookie is none either; the page cookie is not
        // the API's bearer on /v1/ (the pupil's bearer token is, as the same session).
        let staffPage = try Self.page(run, port: port, client: "workstation", "/app/sign-in")
        let staffPre = try #require(Self.cookie(Self.preCookie, in: staffPage.setCookies), "\(staffPage.answer)")
        let staffSignIn = try Self.page(
            run, port: port, client: "workstation", "/app/sign-in", method: "POST", cookies: [Self.preCookie: staffPre],
            form: [("_csrf", try #require(staffPage.answer.csrf)), ("login", "school.a"), ("password", ServeRun.password)])
        let staffSession = try #require(Self.cookie(Self.staffCookie, in: staffSignIn.setCookies), "\(staffSignIn.answer)")
        #expect(try Self.page(run, port: port, client: "workstation", "/app/home", cookies: [Self.staffCookie: staffSession]).answer.http == "200")
        let staffInPupilCookie = try Self.page(run, port: pupils, "/app/pupil/home", cookies: [Self.pupilCookie: staffSession])
        #expect(staffInPupilCookie.answer.http == "303")
        #expect(staffInPupilCookie.answer.headers["location"] == "/app/pupil/sign-in")
        #expect(staffInPupilCookie.setCookies == ["\(Self.pupilCookie)=; Max-Age=0; \(Self.attributes)"])
        let staffCookieOnPupils = try Self.page(run, port: pupils, "/app/pupil/home", cookies: [Self.staffCookie: staffSession])
        #expect(staffCookieOnPupils.answer.http == "303")
        #expect(staffCookieOnPupils.answer.headers["location"] == "/app/pupil/sign-in")
        let pupilInStaffCookie = try Self.page(run, port: port, client: "workstation", "/app/home", cookies: [Self.staffCookie: session])
        #expect(pupilInStaffCookie.answer.http == "303")
        #expect(pupilInStaffCookie.answer.headers["location"] == "/app/sign-in")
        let pupilCookieOnStaffPages = try Self.page(run, port: port, client: "workstation", "/app/home", cookies: pupilCookies)
        #expect(pupilCookieOnStaffPages.answer.http == "303")
        #expect(pupilCookieOnStaffPages.answer.headers["location"] == "/app/sign-in")
        let pupilCookieOnWorkstation = try Self.page(run, port: port, client: "workstation", "/app/pupil/home", cookies: pupilCookies)
        #expect(pupilCookieOnWorkstation.answer.http == "303")
        #expect(pupilCookieOnWorkstation.answer.headers["location"] == "/app/pupil/sign-in")
        let pupilCookieOnStaffPagesOfPupils = try Self.page(run, port: pupils, "/app/home", cookies: pupilCookies)
        #expect(pupilCookieOnStaffPagesOfPupils.answer.http == "303")
        #expect(pupilCookieOnStaffPagesOfPupils.answer.headers["location"] == "/app/sign-in")
        let cookieOnAPI = try Self.page(run, port: pupils, "/v1/pupil/me/accesses", cookies: pupilCookies).answer
        #expect(cookieOnAPI.http == "401", "\(cookieOnAPI)")
        #expect(cookieOnAPI.body.contains(#""code":"session-required""#))
        let staffBearerOnPupilAPI = try Self.page(run, port: pupils, "/v1/pupil/me/accesses", bearer: staffSession).answer
        #expect(staffBearerOnPupilAPI.http == "401")

        // Taking the test: the assignment is listed; starting without the token 403; with it, the
        // first question; each answer is saved at once (read back through the API); submitting.
        let tests = try Self.page(run, port: pupils, "/app/pupil/tests", cookies: pupilCookies).answer
        #expect(tests.http == "200", "\(tests)")
        #expect(tests.body.contains("Career interests, grade 7"))
        let assignment = try #require(tests.body.firstMatch(of: #/action="/app/pupil/tests/([0-9a-f-]{36})/start"/#)?.output.1)
        let pageToken = try #require(tests.csrf)
        #expect(try Self.page(run, port: pupils, "/app/pupil/tests/\(assignment)/start", method: "POST", cookies: pupilCookies).answer.http == "403")
        let started = try Self.page(run, port: pupils, "/app/pupil/tests/\(assignment)/start", method: "POST", cookies: pupilCookies, form: [("_csrf", pageToken)]).answer
        #expect(started.http == "303", "\(started)")
        let location = try #require(started.headers["location"])
        let sessionID = try #require(location.firstMatch(of: #/^/app/pupil/sessions/([0-9a-f-]{36})\?question=1$/#)?.output.1, "\(location)")
        let first = try Self.page(run, port: pupils, location, cookies: pupilCookies).answer
        #expect(first.http == "200", "\(first)")
        #expect(first.body.contains("Вопрос 1 из 6."))
        #expect(first.body.contains("Which school club would you join?"))
        for (question, fields, next) in [
            ("q1", [("choice", "c")], "2"), ("q2", [("choice-a", "on"), ("choice-c", "on")], "3"), ("q3", [("value", "5")], "4"),
            ("q4", [("value", "4")], "5"), ("q5", [("position-x", "1"), ("position-z", "2"), ("position-y", "3")], "6"), ("q6", [("choice", "a")], "6"),
        ] {
            let saved = try Self.page(
                run, port: pupils, "/app/pupil/sessions/\(sessionID)/answers/\(question)", method: "POST", cookies: pupilCookies,
                form: [("_csrf", pageToken), ("next", next)] + fields).answer
            #expect(saved.http == "303", "\(question): \(saved)")
            #expect(saved.headers["location"] == "/app/pupil/sessions/\(sessionID)?question=\(next)")
        }
        let progress = try run.call(port: pupils, client: nil, token: session, "/v1/pupil/assessment/sessions/\(sessionID)")
        #expect(progress.http == "200", "\(progress)")
        #expect((json(progress.body)["answers"] as? [[String: Any]])?.compactMap { $0["question"] as? String }.sorted() == ["q1", "q2", "q3", "q4", "q5", "q6"])
        let last = try Self.page(run, port: pupils, "/app/pupil/sessions/\(sessionID)?question=6", cookies: pupilCookies).answer
        #expect(last.body.contains(#"<input id="choice-a" name="choice" type="radio" value="a" checked>"#), "\(last)")
        let submitted = try Self.page(run, port: pupils, "/app/pupil/sessions/\(sessionID)/submit", method: "POST", cookies: pupilCookies, form: [("_csrf", pageToken)]).answer
        #expect(submitted.http == "303", "\(submitted)")
        #expect(submitted.headers["location"] == "/app/pupil/tests?submitted=1")
        let results = try Self.page(run, port: pupils, "/app/pupil/tests?submitted=1", cookies: pupilCookies).answer
        #expect(results.body.contains("Тест завершён, результат сохранён."))
        #expect(results.body.contains("отвечено на 6 из 6 вопросов"))
        let apiResults = try run.call(port: pupils, client: nil, token: session, "/v1/pupil/assessment/results")
        #expect((json(apiResults.body)["results"] as? [[String: Any]])?.count == 1, "\(apiResults)")
        #expect(try Self.page(run, port: pupils, "/app/pupil/recommendations", cookies: pupilCookies).answer.http == "200")

        // Who has accessed my data: the school's registration and reads, by role and organisation,
        // never a login; only Vera's own entries (Pavel's are not there, and his leaf is 404 to her).
        let accessesAPI = try run.call(port: pupils, client: nil, token: session, "/v1/pupil/me/accesses")
        #expect(accessesAPI.http == "200", "\(accessesAPI)")
        let accesses = try #require(json(accessesAPI.body)["accesses"] as? [[String: Any]])
        #expect(!accesses.isEmpty)
        #expect(accesses.allSatisfy { ["pii.read", "pii.written", "token.resolved"].contains($0["type"] as? String ?? "") })
        #expect(accesses.contains { ($0["accessor"] as? [String: Any])?["role"] as? String == "school" && ($0["accessor"] as? [String: Any])?["organisation"] as? String == "bilet://school/77-0001" })
        #expect(!accessesAPI.body.contains("school.a") && !accessesAPI.body.contains("nav.a") && !accessesAPI.body.contains("usr_"))
        let pavelLogin = try run.signInPupil(workstations: port, pupils: pupils, school: school, pavel, login: "pavel.p")
        let pavelAccesses = try run.call(port: pupils, client: nil, token: pavelLogin, "/v1/pupil/me/accesses")
        let pavelLeaves = Set(((json(pavelAccesses.body)["accesses"] as? [[String: Any]]) ?? []).compactMap { $0["leaf_index"] as? Int })
        let veraLeaves = Set(accesses.compactMap { $0["leaf_index"] as? Int })
        #expect(!pavelLeaves.isEmpty && pavelLeaves.isDisjoint(with: veraLeaves), "\(pavelAccesses)")

        let accessesPage = try Self.page(run, port: pupils, "/app/pupil/accesses", cookies: pupilCookies).answer
        #expect(accessesPage.http == "200", "\(accessesPage)")
        #expect(accessesPage.body.contains("<h1>Кто обращался к моим данным</h1>"))
        #expect(accessesPage.body.contains("сотрудник школы"))
        #expect(accessesPage.body.contains("школа 77-0001"))
        #expect(accessesPage.body.firstMatch(of: #/\d{2}\.\d{2}\.\d{4}: /#) != nil)
        #expect(!accessesPage.body.contains("school.a"))

        // The proof of her oldest access (the school's registration) against the newest signed
        // checkpoint: wait for the sequencer to sign one that covers it.
        let leaf = try #require(veraLeaves.min())
        var proof = try Self.page(run, port: pupils, "/app/pupil/accesses/\(leaf)/proof", cookies: pupilCookies).answer
        for _ in 0..<60 where proof.http != "200" {
            try await Task.sleep(for: .milliseconds(500))
            proof = try Self.page(run, port: pupils, "/app/pupil/accesses/\(leaf)/proof", cookies: pupilCookies).answer
        }
        #expect(proof.http == "200", "\(proof)")
        #expect(proof.headers["content-type"] == "application/json")
        #expect(proof.headers["content-disposition"] == "attachment; filename=\"bilet-proof-\(leaf).json\"")
        #expect(json(proof.body)["kind"] as? String == "inclusion")
        #expect(json(proof.body)["leaf_index"] as? Int == leaf)
        let apiProof = try run.call(port: pupils, client: nil, token: session, "/v1/pupil/me/accesses/\(leaf)/proof")
        #expect(apiProof.http == "200", "\(apiProof)")
        let foreignLeaf = try #require(pavelLeaves.min())
        let foreign = try run.call(port: pupils, client: nil, token: session, "/v1/pupil/me/accesses/\(foreignLeaf)/proof")
        let beyond = try run.call(port: pupils, client: nil, token: session, "/v1/pupil/me/accesses/999999999/proof")
        #expect(foreign.http == "404", "\(foreign)")
        #expect(foreign.body == beyond.body)
        #expect(json(foreign.body)["code"] as? String == "not-found")
        #expect(try Self.page(run, port: pupils, "/app/pupil/accesses/\(foreignLeaf)/proof", cookies: pupilCookies).answer.http == "404")

        let key = try run.bilet(["audit", "key", "--config", run.config])
        #expect(key.status == 0, "\(key.output)")
        let verifierKey = try #require(key.output.split(separator: "\n").last.map(String.init))
        let file = run.directory.appendingPathComponent("proof.json").path
        try proof.body.write(toFile: file, atomically: true, encoding: .utf8)
        let checked = try run.bilet(["audit", "verify-proof", "--proof", file, "--key", verifierKey])
        #expect(checked.status == 0, "\(checked.output)")
        #expect(checked.output.contains("OK: "), "\(checked.output)")
        // One byte of the leaf changed: the proof no longer leads to the signed root.
        var tampered = try #require(JSONSerialization.jsonObject(with: Data(proof.body.utf8)) as? [String: Any])
        let leafInput = try #require(tampered["leaf_input"] as? String)
        var input = try #require(Data(base64Encoded: leafInput))
        input[input.count - 1] ^= 0x01
        tampered["leaf_input"] = input.base64EncodedString()
        let tamperedFile = run.directory.appendingPathComponent("tampered.json").path
        try JSONSerialization.data(withJSONObject: tampered).write(to: URL(fileURLWithPath: tamperedFile))
        let refused = try run.bilet(["audit", "verify-proof", "--proof", tamperedFile, "--key", verifierKey])
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.output.contains("FAILED"), "\(refused.output)")

        // Reading the accesses is itself audited, with the pupil as reader and subject.
        let compliance = try run.addAccount("officer.one", role: "compliance_officer", organisation: "bilet://operator/op-1")
        try #require(compliance.status == 0, "\(compliance.output)")
        let officer = try run.signIn(port: port, "officer.one", client: "operator")
        let reads = try call("operator", officer, "/v1/audit/entries?subject=\(vera)&type=audit.read&limit=100")
        #expect(reads.http == "200", "\(reads)")
        let readEntries = (json(reads.body)["entries"] as? [[String: Any]]) ?? []
        #expect(readEntries.contains { $0["purpose"] as? String == "parent_request" && ($0["fields"] as? [String: Any])?["query"] as? String == "report" })
        #expect(readEntries.contains { $0["purpose"] as? String == "parent_request" && ($0["fields"] as? [String: Any])?["query"] as? String == "prove" })

        // Signing out ends the session: the cookie is cleared and no longer opens a page.
        let signedOut = try Self.page(run, port: pupils, "/app/pupil/sign-out", method: "POST", cookies: pupilCookies, form: [("_csrf", pageToken)])
        #expect(signedOut.answer.http == "303")
        #expect(signedOut.answer.headers["location"] == "/app/pupil/sign-in")
        #expect(signedOut.setCookies == ["\(Self.pupilCookie)=; Max-Age=0; \(Self.attributes)"])
        #expect(try Self.page(run, port: pupils, "/app/pupil/home", cookies: pupilCookies).answer.headers["location"] == "/app/pupil/sign-in")
        #expect(try run.call(port: pupils, client: nil, token: session, "/v1/pupil/me/accesses").http == "401")
    }
}
