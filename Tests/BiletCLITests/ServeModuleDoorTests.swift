import Foundation
import Storage
import Testing
import ServeTestSupport

/// Issue #11, item 5, through a real `bilet serve` and curl with the development certificates:
/// a school assigns its navigator to its pupil for the school year (and the navigator then reads
/// the pupil's card, until the assignment ends); another school's pupil or navigator is refused;
/// the modules' door answers the modules' service certificates only (their own tokens, the fields
/// their purpose allows); a pupil's erasure reaches every module. Audit records checked in the
/// database. Part of ``ServeCommandTests`` (serialised, run in the timed pass).
extension ServeCommandTests {
    /// One statement through psql as the private cluster's owner: its rows, `|`-separated.
    static func ownerSQL(_ run: GatewayRun, _ statement: String) throws -> String {
        let cluster = try LocalCluster(directory: run.directory.path + "/pg", authentication: .scram)
        let password = try DatabaseCredentials(directory: cluster.directory).password(forRole: "owner")
        let result = try BiletProcess.run(
            ["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", statement, "--dbname=\(cluster.connectionString(database: "bilet"))"],
            environment: ["PGPASSWORD": password], executable: URL(fileURLWithPath: try PostgresBinaries.locate().directory + "/psql"))
        try #require(result.status == 0, "psql: \(result.output)")
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The account id (`usr_…`) `bilet accounts add` printed.
    static func accountID(_ output: String) throws -> String {
        let range = try #require(output.range(of: #"usr_[A-Za-z0-9_-]{22}"#, options: .regularExpression), "\(output)")
        return String(output[range])
    }

    @Test func schoolsAssignNavigatorsAndModulesUseTheirDoor() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let pupilsPort = try #require(ports["pupils"])
        var ids: [String: String] = [:]
        for (login, role, organisation) in [
            ("school.a", "school", "bilet://school/77-0001"), ("school.b", "school", "bilet://school/77-0002"),
            ("nav.a", "navigator", "bilet://school/77-0001"), ("nav.b", "navigator", "bilet://school/77-0002"),
        ] {
            let add = try run.addAccount(login, role: role, organisation: organisation, region: "77")
            try #require(add.status == 0, "\(add.output)")
            ids[login] = try Self.accountID(add.output)
        }
        let navA = try #require(ids["nav.a"])
        let navB = try #require(ids["nav.b"])
        try run.initialiseVault()
        let json = ServeCommandTests.json
        func call(_ client: String?, _ token: String?, _ path: String, method: String = "GET", body: String? = nil) throws -> (http: String, body: String) {
            try run.call(port: port, client: client, token: token, path, method: method, type: body.map { _ in "application/json" }, body: body)
        }
        let schoolA = try run.signIn(port: port, "school.a", client: "workstation")
        let schoolB = try run.signIn(port: port, "school.b", client: "school-b")
        let navigatorA = try run.signIn(port: port, "nav.a", client: "workstation")

        func form(_ surname: String, number: String, purposes: [String]) -> String {
            let list = purposes.map { #""\#($0)""# }.joined(separator: ",")
            return #"""
                {"pupil":{"surname":"\#(surname)","first_name":"Анна","birth_date":"2011-04-02","grade":"9","class":"Б","municipality":"Тестовый округ"},
                 "guardian":{"surname":"\#(surname)","first_name":"Мария","relation":"mother","phone":"+7 900 000-00-01"},
                 "consent":{"number":"\#(number)","signed_on":"2025-09-01","pupil_signed":true,"purposes":[\#(list)]}}
                """#
        }
        let registered = try call("workstation", schoolA, "/v1/pupils", method: "POST", body: form("Модулева", number: "1/2025", purposes: ["assessment", "event_attendance"]))
        #expect(registered.http == "201", "\(registered)")
        let pupil = try #require(json(registered.body)["token"] as? String)
        let other = try #require(json(try call("school-b", schoolB, "/v1/pupils", method: "POST", body: form("Чужакова", number: "2/2025", purposes: [])).body)["token"] as? String)
        let unknownPupil = "sub_" + String(repeating: "A", count: 22)

        // 1. Navigator assignment. Before it, the navigator cannot read the pupil.
        let card = "/v1/pupils/\(pupil)?purpose=enrolment&fields=surname,grade"
        #expect(try call("workstation", navigatorA, card).http == "404")
        let assigned = try call("workstation", schoolA, "/v1/pupils/\(pupil)/navigators", method: "POST", body: #"{"navigator":"\#(navA)"}"#)
        #expect(assigned.http == "201", "\(assigned)")
        #expect(json(assigned.body)["navigator"] as? String == navA)
        let until = try #require(json(assigned.body)["valid_until"] as? String)
        #expect(until.hasSuffix("-07-01T00:00:00Z"), "valid until the end of the school year: \(until)")
        let read = try call("workstation", navigatorA, card)
        #expect(read.http == "200", "\(read)")
        #expect(json(read.body)["fields"] as? [String: String] == ["surname": "Модулева", "grade": "9"])
        // Assigning again returns the running assignment; the list shows it once.
        #expect(try call("workstation", schoolA, "/v1/pupils/\(pupil)/navigators", method: "POST", body: #"{"navigator":"\#(navA)"}"#).http == "201")
        let listed = try call("workstation", schoolA, "/v1/pupils/\(pupil)/navigators")
        #expect(listed.http == "200", "\(listed)")
        #expect((json(listed.body)["navigators"] as? [[String: Any]])?.compactMap { $0["navigator"] as? String } == [navA])

        // Another school's navigator, an unknown account, a school account: navigator-not-found.
        for navigator in [navB, "usr_" + String(repeating: "B", count: 22), try #require(ids["school.a"])] {
            let refused = try call("workstation", schoolA, "/v1/pupils/\(pupil)/navigators", method: "POST", body: #"{"navigator":"\#(navigator)"}"#)
            #expect(refused.http == "404", "\(navigator): \(refused)")
            #expect(refused.body.contains(#""code":"navigator-not-found""#), "\(refused)")
        }
        // Another school's pupil answers as an unknown token does.
        let theirs = try call("workstation", schoolA, "/v1/pupils/\(other)/navigators", method: "POST", body: #"{"navigator":"\#(navA)"}"#)
        let unknown = try call("workstation", schoolA, "/v1/pupils/\(unknownPupil)/navigators", method: "POST", body: #"{"navigator":"\#(navA)"}"#)
        #expect(theirs.http == "404")
        #expect(theirs.body.contains(#""code":"pupil-not-found""#))
        #expect(theirs.body == unknown.body)
        #expect(try call("school-b", schoolB, "/v1/pupils/\(pupil)/navigators").http == "404")
        // A navigator does not assign, a staff session is required, a body is JSON.
        #expect(try call("workstation", navigatorA, "/v1/pupils/\(pupil)/navigators", method: "POST", body: #"{"navigator":"\#(navA)"}"#).http == "404")
        #expect(try call("workstation", nil, "/v1/pupils/\(pupil)/navigators").http == "401")
        #expect(try run.call(port: port, client: "workstation", token: schoolA, "/v1/pupils/\(pupil)/navigators", method: "POST", type: "text/plain", body: "{}").http == "415")

        // Ending it: the navigator loses the pupil at once; ending again finds nothing.
        #expect(try call("workstation", schoolA, "/v1/pupils/\(pupil)/navigators/\(navA)", method: "DELETE").http == "204")
        #expect(try call("workstation", navigatorA, card).http == "404")
        let again = try call("workstation", schoolA, "/v1/pupils/\(pupil)/navigators/\(navA)", method: "DELETE")
        #expect(again.http == "404")
        #expect(again.body.contains(#""code":"assignment-not-found""#))
        #expect(try call("workstation", schoolA, "/v1/pupils/\(pupil)/navigators").body == #"{"navigators":[]}"#)

        let assignments = try Self.ownerSQL(
            run,
            """
            SELECT decision || ':' || (payload->>'operation') || ':' || coalesce(payload->>'reason', '-') FROM audit.events
            WHERE kind = 'navigator.assignment' AND actor = 'user:\(try #require(ids["school.a"]))' ORDER BY id
            """
        ).split(separator: "\n").map(String.init)
        #expect(
            assignments == [
                "permit:assign:-", "permit:assign:-", "permit:list:-", "deny:assign:policy_denied", "deny:assign:unknown_navigator",
                "deny:assign:unknown_navigator", "deny:assign:policy_denied", "deny:assign:unknown_subject", "permit:end:-",
                "deny:end:unknown_assignment", "permit:list:-",
            ])
        #expect(try Self.ownerSQL(
            run, "SELECT count(*) FROM policy.relationships WHERE kind = 'assigned_navigator' AND subject_id = '\(pupil)' AND expired_at IS NOT NULL") == "1")

        // 2. The modules' door. The pupil's pairwise tokens (the modules get them from the flows
        // that enrol the pupil; read here from the vault's table).
        func moduleToken(_ module: String, of token: String) throws -> String {
            try Self.ownerSQL(
                run,
                "SELECT m.token FROM vault.module_tokens m JOIN vault.subjects s ON s.id = m.subject_id WHERE s.token = '\(token)' AND m.module = '\(module)'")
        }
        let asm = try moduleToken("assessment", of: pupil)
        let trl = try moduleToken("trials", of: pupil)
        #expect(asm.hasPrefix("asm_") && trl.hasPrefix("trl_"))
        func module(_ client: String, _ path: String, _ body: String) throws -> (http: String, body: String) {
            try run.call(port: port, client: client, token: nil, path, method: "POST", type: "application/json", body: body)
        }
        let readPath = "/v1/modules/pupils/read"
        let translatePath = "/v1/modules/tokens/translate"
        let own = try module("service", readPath, #"{"token":"\#(asm)","fields":["grade","birth_date"],"purpose":"assessment"}"#)
        #expect(own.http == "200", "\(own)")
        #expect(json(own.body)["fields"] as? [String: String] == ["grade": "9", "birth_date": "2011"])
        #expect(json(own.body)["token"] as? String == asm)
        let trialsRead = try module("service-trials", readPath, #"{"token":"\#(trl)","fields":["grade","municipality"],"purpose":"event_attendance"}"#)
        #expect(trialsRead.http == "200", "\(trialsRead)")
        #expect(json(trialsRead.body)["fields"] as? [String: String] == ["grade": "9", "municipality": "Тестовый округ"])
        // Outside the purpose: refused, never masked into an answer.
        for (body, code) in [
            (#"{"token":"\#(asm)","fields":["municipality"],"purpose":"assessment"}"#, "fields-not-granted"),
            (#"{"token":"\#(asm)","fields":["surname","grade"],"purpose":"assessment"}"#, "forbidden"),
            (#"{"token":"\#(asm)","fields":["grade"],"purpose":"event_attendance"}"#, "invalid-request"),
            // An assessment token is released for recommendation too (to the recommendations
            // service's engine, 0730), but a read with it is held to the assessment's own purposes.
            (#"{"token":"\#(asm)","fields":["grade"],"purpose":"recommendation"}"#, "invalid-request"),
        ] {
            let refused = try module("service", readPath, body)
            #expect(refused.http == (code == "invalid-request" ? "400" : "403"), "\(body): \(refused)")
            #expect(refused.body.contains(#""code":"\#(code)""#), "\(body): \(refused)")
            #expect(!refused.body.contains("Модулева"))
        }
        // Another module's token, for reading or translating: forbidden, exactly like an unknown one.
        let foreignRead = try module("service", readPath, #"{"token":"\#(trl)","fields":["grade"],"purpose":"event_attendance"}"#)
        #expect(foreignRead.http == "403", "\(foreignRead)")
        #expect(foreignRead.body.contains(#""code":"forbidden""#))
        let foreign = try module("service", translatePath, #"{"token":"\#(trl)","to":"assessment","purpose":"assessment"}"#)
        let foreignUnknown = try module("service", translatePath, #"{"token":"trl_\#(String(repeating: "A", count: 22))","to":"assessment","purpose":"assessment"}"#)
        #expect(foreign.http == "403", "\(foreign)")
        #expect(foreign.body.contains(#""code":"forbidden""#))
        #expect(foreign.body == foreignUnknown.body)
        // Its own token into another module's namespace: no rule lets assessment read the pupil
        // for event_attendance, so a module only ever gets its own tokens.
        let toTrials = try module("service", translatePath, #"{"token":"\#(asm)","to":"trials","purpose":"event_attendance"}"#)
        #expect(toTrials.http == "403", "\(toTrials)")
        #expect(toTrials.body.contains(#""code":"forbidden""#))
        #expect(!toTrials.body.contains(trl))
        let toOwn = try module("service", translatePath, #"{"token":"\#(asm)","to":"assessment","purpose":"assessment"}"#)
        #expect(toOwn.http == "200", "\(toOwn)")
        #expect(json(toOwn.body)["token"] as? String == asm)
        // Not a module's certificate: the door is not there (a workstation with or without a
        // session, a pupils' listener connection without a certificate).
        for (client, token) in [("workstation", schoolA as String?), ("workstation", nil), ("school-b", schoolB)] {
            for path in [readPath, translatePath] {
                let answer = try run.call(
                    port: port, client: client, token: token, path, method: "POST", type: "application/json",
                    body: #"{"token":"\#(asm)","to":"assessment","fields":["grade"],"purpose":"assessment"}"#)
                #expect(answer.http == "404", "\(client) \(path): \(answer)")
                #expect(answer.body.contains(#""code":"route-not-found""#), "\(answer)")
            }
        }
        let pupilsListener = try run.call(
            port: pupilsPort, client: nil, token: nil, readPath, method: "POST", type: "application/json",
            body: #"{"token":"\#(asm)","fields":["grade"],"purpose":"assessment"}"#)
        #expect(pupilsListener.http == "404", "\(pupilsListener)")

        let moduleAudit = try Self.ownerSQL(
            run,
            """
            SELECT kind || ':' || actor || ':' || decision || ':' || subject FROM audit.events
            WHERE actor LIKE 'service:%' ORDER BY id
            """
        ).split(separator: "\n").map(String.init)
        #expect(
            moduleAudit == [
                "pii.read:service:assessment:permit:\(pupil)", "pii.read:service:trials:permit:\(pupil)",
                "pii.read:service:assessment:deny:\(pupil)", "pii.read:service:assessment:deny:\(pupil)",
                "pii.read:service:assessment:deny:\(pupil)", "pii.read:service:assessment:deny:\(pupil)",
                "pii.read:service:assessment:deny:\(pupil)",
                "token.resolved:service:assessment:deny:\(pupil)",
                "token.resolved:service:assessment:deny:trl_\(String(repeating: "A", count: 22))",
                "token.resolved:service:assessment:deny:\(pupil)", "token.resolved:service:assessment:permit:\(pupil)",
            ], "\(moduleAudit)")

        // 3. Erasure reaches every module: the modules' rows of the pupil go, the other pupil's stay.
        let otherAsm = try moduleToken("assessment", of: other)
        _ = try Self.ownerSQL(
            run,
            """
            INSERT INTO assessment.tests (code, version, title, definition, time_limit_seconds, max_attempts, state, uploaded_by, uploaded_at,
                                          published_by, published_at)
            VALUES ('erasure-fixture', 1, 'Fixture', '{}', 600, 10, 'published', 'usr_m', now(), 'usr_m', now());
            WITH a AS (
                INSERT INTO assessment.assignments (id, pupil_token, test_code, test_version, assigned_by, assigned_at)
                SELECT gen_random_uuid(), t, 'erasure-fixture', 1, 'usr_n', now() FROM unnest(ARRAY['\(asm)', '\(asm)', '\(otherAsm)']) AS t
                RETURNING id, pupil_token),
            s AS (
                INSERT INTO assessment.sessions (id, assignment_id, pupil_token, attempt, started_at, deadline_at, status, finished_at)
                SELECT gen_random_uuid(), a.id, a.pupil_token, 1, now(), now(), 'submitted', now() FROM a RETURNING id, pupil_token)
            INSERT INTO assessment.results (session_id, pupil_token, test_code, test_version, scores, answered, questions, outcome, completed_at)
            SELECT s.id, s.pupil_token, 'erasure-fixture', 1, '{}', 0, 0, 'submitted', now() FROM s;
            WITH p AS (
                INSERT INTO trials.places (venue, name, address, capacity, created_by)
                VALUES ('77-0042', 'Hall', 'Moscow', 100, 'user:usr_seed') RETURNING id
            ), e AS (
                INSERT INTO trials.events (venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, format, status, seated,
                                           created_by)
                SELECT '77-0042', '77', 'trial', 'Trial', now(), now() + interval '2 hours', p.id, 10, 'it', 'in_person', 'approved', 1,
                       'user:usr_seed' FROM p RETURNING id
            ), n AS (
                INSERT INTO trials.enrolments (event_id, pupil_token, state, enrolled_by) SELECT e.id, '\(trl)', 'seated', 'user:usr_seed' FROM e
            )
            INSERT INTO trials.attendance (event_id, pupil_token, attended, marked_by) SELECT e.id, '\(trl)', true, 'usr_seed' FROM e;
            """)
        let erased = try run.bilet(["vault", "erase", "--socket", run.socket, pupil, "--reason", "subject_request"])
        #expect(erased.status == 0, "\(erased.output)")
        #expect(erased.output.contains("erased \(pupil)"))
        #expect(
            erased.output.contains(
                "module assessment: done, removed answers 0, assignments 2, footprint 0, footprint_history 0, results 2, sessions 2; token unlinked; sweep pending"),
            "\(erased.output)")
        #expect(erased.output.contains("module trials: done, removed attendance 1, enrolments 1; token unlinked; sweep pending"), "\(erased.output)")
        #expect(erased.output.contains("module recommendations: done, removed items 0; token unlinked; sweep pending"), "\(erased.output)")
        let status = try run.bilet(["vault", "erasure-status", "--socket", run.socket, pupil])
        #expect(status.status == 0, "\(status.output)")
        #expect(status.output.contains("module trials: done, removed attendance 1, enrolments 1; token unlinked; sweep pending"), "\(status.output)")
        #expect(try Self.ownerSQL(run, "SELECT count(*) FROM assessment.results WHERE pupil_token = '\(asm)'") == "0")
        #expect(try Self.ownerSQL(run, "SELECT count(*) FROM trials.attendance WHERE pupil_token = '\(trl)'") == "0")
        #expect(try Self.ownerSQL(run, "SELECT count(*) FROM assessment.results WHERE pupil_token = '\(otherAsm)'") == "1")
        #expect(try Self.ownerSQL(run, "SELECT count(*) FROM vault.module_tokens WHERE token IN ('\(asm)', '\(trl)')") == "0")
        #expect(try Self.ownerSQL(
            run, "SELECT string_agg(payload->>'module' || '=' || (payload->>'removed_count'), ',' ORDER BY payload->>'module') FROM audit.events WHERE kind = 'module.erased' AND subject = '\(pupil)'"
        ) == "assessment=6,recommendations=0,trials=2")
        // The module's token names nobody any more.
        let gone = try module("service", readPath, #"{"token":"\#(asm)","fields":["grade"],"purpose":"assessment"}"#)
        #expect(gone.http == "404", "\(gone)")
        #expect(gone.body.contains(#""code":"pupil-not-found""#))

        #expect(try serve.terminate() == 0)
    }
}
