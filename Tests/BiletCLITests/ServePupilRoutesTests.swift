import Foundation
import Testing
import ServeTestSupport

/// The pupil routes through real `bilet serve` and curl with the development certificates, as a
/// school would use them: register → read → correct → search, another school's 404 on the first
/// school's token (the same answer as an unknown token), its duplicate answered as a success and
/// sent to the region's coordinator, who sees schools only and resolves the case. Part of
/// ``ServeCommandTests`` (serialised, run in the timed pass).
extension ServeCommandTests {
    @Test func schoolRegistersReadsCorrectsAndFindsItsPupils() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let pupilsPort = try #require(ports["pupils"])
        // dev-setup made the workstations of school 77-0002 (`school-b`) and of region 77 (`region`).
        for (login, role, organisation) in [
            ("school.a", "school", "bilet://school/77-0001"), ("school.b", "school", "bilet://school/77-0002"),
            ("coord.77", "regional_coordinator", "bilet://region/77"),
        ] {
            let add = try run.addAccount(login, role: role, organisation: organisation, region: "77")
            try #require(add.status == 0, "\(add.output)")
        }
        try run.initialiseVault()

        let json = ServeCommandTests.json
        func signIn(_ login: String, _ client: String) throws -> String {
            try run.signIn(port: port, login, client: client)
        }
        func call(_ client: String, _ token: String, _ path: String, method: String = "GET", body: String? = nil) throws -> (http: String, body: String) {
            try run.call(port: port, client: client, token: token, path, method: method, type: body.map { _ in "application/json" }, body: body)
        }
        let schoolA = try signIn("school.a", "workstation")
        let schoolB = try signIn("school.b", "school-b")
        let coordinator = try signIn("coord.77", "region")

        let form = #"""
            {"pupil":{"surname":"Тестова","first_name":"Анна","birth_date":"2011-04-02","grade":"9","class":"Б","snils":"112-233-445 95"},
             "guardian":{"surname":"Тестова","first_name":"Мария","relation":"mother","phone":"+7 900 000-00-01"},
             "consent":{"number":"17/2025","signed_on":"2025-09-01","pupil_signed":true}}
            """#
        let registered = try call("workstation", schoolA, "/v1/pupils", method: "POST", body: form)
        #expect(registered.http == "201", "\(registered)")
        let pupil = try #require(json(registered.body)["token"] as? String)
        #expect((json(registered.body)["consent"] as? String)?.hasPrefix("cns_") == true)

        let card = try call("workstation", schoolA, "/v1/pupils/\(pupil)?purpose=enrolment&fields=surname,grade")
        #expect(card.http == "200", "\(card)")
        #expect(json(card.body)["fields"] as? [String: String] == ["surname": "Тестова", "grade": "9"])
        let corrected = try call("workstation", schoolA, "/v1/pupils/\(pupil)", method: "PATCH", body: #"{"fields":{"grade":"10"}}"#)
        #expect(corrected.http == "200", "\(corrected)")
        #expect(try call("workstation", schoolA, "/v1/pupils/\(pupil)?purpose=enrolment&fields=grade").body.contains(#""grade":"10""#))
        let found = try call(
            "workstation", schoolA, "/v1/pupils/search", method: "POST", body: #"{"surname":"тестова","first_name":"АННА","birth_date":"2011-04-02"}"#)
        #expect(found.http == "200", "\(found)")
        #expect(found.body.contains(pupil))
        #expect(try call("workstation", schoolA, "/v1/pupils/\(pupil)?fields=grade").http == "400", "a read names its purpose")
        let form415 = try run.call(port: port, client: "workstation", token: schoolA, "/v1/pupils", method: "POST", type: "text/plain", body: form)
        #expect(form415.http == "415")

        // School B: A's pupil answers exactly like a token never issued.
        let theirs = try call("school-b", schoolB, "/v1/pupils/\(pupil)?purpose=enrolment")
        let unknown = try call("school-b", schoolB, "/v1/pupils/sub_\(String(repeating: "A", count: 22))?purpose=enrolment")
        #expect(theirs.http == "404")
        #expect(theirs.body == unknown.body)
        #expect(theirs.body.contains(#""code":"pupil-not-found""#))
        let theirWrite = try call("school-b", schoolB, "/v1/pupils/\(pupil)", method: "PATCH", body: #"{"fields":{"grade":"11"}}"#)
        #expect(theirWrite.http == "404")
        #expect(try call("school-b", schoolB, "/v1/pupils/search", method: "POST", body: #"{"snils":"112-233-445 95"}"#).body == #"{"pupils":[]}"#)
        // B registering the same child is answered like a success; A registering it again is told.
        let duplicate = try call("school-b", schoolB, "/v1/pupils", method: "POST", body: form)
        #expect(duplicate.http == "201", "\(duplicate)")
        let again = try call("workstation", schoolA, "/v1/pupils", method: "POST", body: form)
        #expect(again.http == "409")
        #expect(again.body.contains(#""code":"duplicate-pupil""#))

        // The region's coordinator sees the case (schools, no names) and resolves it.
        let cases = try call("region", coordinator, "/v1/duplicates")
        #expect(cases.http == "200", "\(cases)")
        #expect(!cases.body.contains("Тестова"))
        let open = try #require((json(cases.body)["cases"] as? [[String: Any]])?.first)
        #expect(open["schools"] as? [String] == ["77-0002", "77-0001"])
        let reference = try #require(open["case"] as? String)
        #expect(try call("workstation", schoolA, "/v1/duplicates/\(reference)/resolve", method: "POST", body: #"{"decision":"same"}"#).http == "404")
        #expect(try call("region", coordinator, "/v1/duplicates/\(reference)/resolve", method: "POST", body: #"{"decision":"same"}"#).http == "204")
        #expect(try call("region", coordinator, "/v1/duplicates").body == #"{"cases":[]}"#)

        // The pupil's own account: a form consenting to self_service too; the school issues the
        // code (after the vault confirmed the pupil is its own), the pupil activates and signs in on
        // the pupils' listener (no client certificate) and reads their own card, nothing else.
        let ownForm = #"""
            {"pupil":{"surname":"Примерова","first_name":"Вера","birth_date":"2010-05-06","grade":"10","class":"А"},
             "guardian":{"surname":"Примерова","first_name":"Ольга","relation":"mother","phone":"+7 900 000-00-02"},
             "consent":{"number":"18/2025","signed_on":"2025-09-01","pupil_signed":true,"purposes":["self_service"]}}
            """#
        let vera = try #require(json(try call("workstation", schoolA, "/v1/pupils", method: "POST", body: ownForm).body)["token"] as? String)
        // Anna's form did not consent to self_service: no account for her.
        let noConsent = try call("workstation", schoolA, "/v1/pupils/\(pupil)/activation-code", method: "POST")
        #expect(noConsent.http == "403", "\(noConsent)")
        #expect(noConsent.body.contains(#""code":"consent-missing""#))
        // School B: Vera's token is as unknown as a token never issued.
        let theirCode = try call("school-b", schoolB, "/v1/pupils/\(vera)/activation-code", method: "POST")
        let unknownCode = try call("school-b", schoolB, "/v1/pupils/sub_\(String(repeating: "A", count: 22))/activation-code", method: "POST")
        #expect(theirCode.http == "404")
        #expect(theirCode.body == unknownCode.body)
        #expect(theirCode.body.contains(#""code":"pupil-not-found""#))
        let issued = try call("workstation", schoolA, "/v1/pupils/\(vera)/activation-code", method: "POST")
        #expect(issued.http == "201", "\(issued)")
        let code = try #require(json(issued.body)["activation_code"] as? String)
        #expect(json(issued.body)["activation_expires_at"] is String)

        func pupilCall(_ path: String, method: String = "GET", token: String? = nil, body: String? = nil) throws -> (http: String, body: String) {
            try run.call(port: pupilsPort, client: nil, token: token, path, method: method, type: body.map { _ in "application/json" }, body: body)
        }
        let activated = try pupilCall(
            "/v1/pupil/activate", method: "POST", body: #"{"activation_code":"\#(code)","login":"vera.p","password":"synthetic pupil pass 1"}"#)
        #expect(activated.http == "204", "\(activated)")
        let signedIn = try pupilCall("/v1/pupil/sessions", method: "POST", body: #"{"login":"vera.p","password":"synthetic pupil pass 1"}"#)
        #expect(signedIn.http == "201", "\(signedIn)")
        let pupilToken = try #require(json(signedIn.body)["token"] as? String)
        let me = try pupilCall("/v1/pupil/me", token: pupilToken)
        #expect(me.http == "200", "\(me)")
        #expect(json(me.body)["token"] as? String == vera)
        let own = try #require(json(me.body)["fields"] as? [String: String])
        #expect(own["surname"] == "Примерова")
        #expect(own["grade"] == "10")
        #expect(try pupilCall("/v1/pupil/me?fields=first_name", token: pupilToken).body.contains(#""first_name":"Вера""#))
        // Without a session nothing; another pupil's token anywhere in a path gives nothing either.
        #expect(try pupilCall("/v1/pupil/me").http == "401")
        for path in ["/v1/pupils/\(pupil)?purpose=self_service", "/v1/pupils/\(vera)?purpose=self_service"] {
            let answer = try pupilCall(path, token: pupilToken)
            #expect(answer.http == "401", "\(path): \(answer)")
            #expect(!answer.body.contains("Тестова") && !answer.body.contains("Примерова"))
        }
        for path in ["/v1/pupil/me/\(pupil)", "/v1/pupil/\(pupil)", "/v1/pupil/me?token=\(pupil)"] {
            let answer = try pupilCall(path, token: pupilToken)
            #expect(!answer.body.contains("Тестова"), "\(path): \(answer)")
            #expect(answer.http == "404" || json(answer.body)["token"] as? String == vera, "\(path): \(answer)")
        }
        // The code is single use; signed out, the token is dead.
        #expect(try pupilCall(
            "/v1/pupil/activate", method: "POST", body: #"{"activation_code":"\#(code)","login":"vera.q","password":"synthetic pupil pass 1"}"#
        ).http == "401")
        #expect(try pupilCall("/v1/pupil/sessions/current", method: "DELETE", token: pupilToken).http == "204")
        #expect(try pupilCall("/v1/pupil/me", token: pupilToken).http == "401")
        // Active now: the school cannot issue a second code behind the pupil's back.
        #expect(try call("workstation", schoolA, "/v1/pupils/\(vera)/activation-code", method: "POST").http == "409")

        #expect(try serve.terminate() == 0)
    }
}
