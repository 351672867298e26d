import Foundation
import Testing

/// The pupil routes through real `bilet serve` and curl with the development certificates, as a
/// school would use them: register → read → correct → search, another school's 404 on the first
/// school's token (the same answer as an unknown token), its duplicate answered as a success and
/// sent to the region's coordinator, who sees schools only and resolves the case. Part of
/// ``ServeCommandTests`` (serialised, run in the timed pass).
extension ServeCommandTests {
    @Test func schoolRegistersReadsCorrectsAndFindsItsPupils() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        let setup = try run.bilet(["certs", "dev-setup", "--directory", run.certs])
        try #require(setup.status == 0, "\(setup.output)")
        try run.writeConfiguration()
        // This run's own door socket (the default is relative to the working directory).
        var configuration = try String(contentsOfFile: run.config, encoding: .utf8)
        configuration = configuration.replacingOccurrences(
            of: #""vault": {"#, with: #""vault": {"door_socket": "\#(run.directory.path)/vault-door/door.sock", "#)
        try configuration.write(toFile: run.config, atomically: true, encoding: .utf8)
        try #require(try run.bilet(["db", "migrate"]).status == 0)
        let environment = run.environment.merging(["BILET": BiletProcess.binary.path, "BILET_CONFIG": run.config]) { $1 }

        let log = run.directory.appendingPathComponent("serve.log")
        let serve = try BiletProcess.start(["serve", "--config", run.config], environment: run.environment, log: log)
        let lines = try await serve.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        let port = try #require(
            Self.records(lines, message: "gateway listening").first { $0["tls.listener"] as? String == "workstations" }
                .flatMap { ($0["port"] as? String).flatMap(Int.init) })
        // `certs dev-setup` made workstation certificates of school 77-0002 (school-b) and of region 77 (region).
        for (login, role, organisation) in [
            ("school.a", "school", "bilet://school/77-0001"), ("school.b", "school", "bilet://school/77-0002"),
            ("coord.77", "regional_coordinator", "bilet://region/77"),
        ] {
            let add = try BiletProcess.run(
                ["-c", #"printf 'synthetic pass phrase 1\n' | "$BILET" accounts add --login \#(login) --role \#(role) --organisation \#(organisation) --region 77 --password-stdin"#],
                environment: environment, executable: URL(fileURLWithPath: "/bin/bash"))
            try #require(add.status == 0, "\(add.output)")
        }

        let keyFile = run.directory.path + "/master.key"
        #expect(try run.bilet(["vault", "keygen", keyFile]).status == 0)
        #expect(try run.bilet(["vault", "init", "--socket", run.socket, "--key-file", keyFile]).status == 0)

        func json(_ text: String) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
        }
        func signIn(_ login: String, _ client: String) throws -> String {
            let answer = try run.curl(
                port: port, path: "/v1/sessions", client: client,
                extra: ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", #"{"login":"\#(login)","password":"synthetic pass phrase 1"}"#])
            let token = try #require(json(answer.body)["token"] as? String, "\(answer)")
            // Every staff member records their consent to the processing of their own data first.
            let consent = try run.curl(
                port: port, path: "/v1/staff/me/consent", client: client,
                extra: ["-X", "POST", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
                        "--data-binary", #"{"version":"staff-pd-2026-1"}"#])
            try #require(consent.http == "204", "\(consent)")
            return token
        }
        func call(_ client: String, _ token: String, _ path: String, method: String = "GET", body: String? = nil) throws -> (http: String, body: String) {
            var extra = ["-X", method, "-H", "Authorization: Bearer \(token)"]
            if let body { extra += ["-H", "Content-Type: application/json", "--data-binary", body] }
            let answer = try run.curl(port: port, path: path, client: client, extra: extra)
            return (answer.http, answer.body)
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
        let form415 = try run.curl(
            port: port, path: "/v1/pupils", client: "workstation",
            extra: ["-X", "POST", "-H", "Authorization: Bearer \(schoolA)", "-H", "Content-Type: text/plain", "--data-binary", form])
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

        #expect(try serve.terminate() == 0)
    }
}
