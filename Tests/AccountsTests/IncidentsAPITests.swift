import Accounts
import Audit
import Foundation
import PostgreSQL
import Storage
import Testing

/// The incident register (152-FZ art. 21 part 3.1) over real mTLS on a real database: the affected
/// data subjects and organisations computed from audit events the test appends, the 24- and
/// 72-hour deadlines judged by the database's clock, the notices' texts, the roles, the audit
/// records and bad input.
@Suite("Incident register over HTTP", .serialized)
struct IncidentsAPITests {
    static let forbidden = #"{"code":"forbidden","status":403,"title":"The policy does not permit this request.","type":"about:blank"}"#
    static let invalid = #"{"code":"invalid-incident","status":400,"title":"A field of the incident is missing or malformed.","type":"about:blank"}"#
    static let notFound = #"{"code":"incident-not-found","status":404,"title":"No such incident is registered.","type":"about:blank"}"#
    static let future =
        #"{"code":"discovered-in-future","status":422,"title":"The discovery time is later than the server's clock.","type":"about:blank"}"#
    static let noticeOrder =
        #"{"code":"notice-order","status":409,"title":"The first notice must be sent before the results of the investigation.","type":"about:blank"}"#
    /// Synthetic vault tokens.
    static let a1 = "sub_incidentA1xxxxxxxxxx"
    static let a2 = "sub_incidentA2xxxxxxxxxx"
    static let a3 = "sub_incidentA3xxxxxxxxxx"
    static let b1 = "sub_incidentB1xxxxxxxxxx"
    static let b2 = "sub_incidentB2xxxxxxxxxx"
    static let secret = "Описание инцидента: служебная записка 17"

    /// The database's clock, shifted by `seconds`, as RFC 3339.
    static func databaseTime(_ harness: StaffHarness, plus seconds: Int = 0) async throws -> String {
        let now = try await harness.owner.query("SELECT clock_timestamp()").singleValue(Date.self)
        return ISO8601DateFormatter().string(from: now.addingTimeInterval(TimeInterval(seconds)))
    }

    /// Runs `body` with a served StaffHarness and pools of `components` on its database, and stops
    /// them all afterwards, also when `body` throws.
    static func serving(
        components: [Component] = [], _ body: (StaffHarness, [PostgresConnectionPool]) async throws -> Void
    ) async throws {
        let harness = try await StaffHarness.start()
        let database = harness.database.components(maxConnectionsPerComponent: 1)
        let pools = components.map { database.makePool(for: $0) }
        do {
            try await body(harness, pools)
        } catch {
            for pool in pools { await pool.shutdown() }
            await harness.stop()
            throw error
        }
        for pool in pools { await pool.shutdown() }
        await harness.stop()
    }

    static func object(_ body: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
    }

    static func report(discovered: String, from: String, until: String, filters: String = "", kind: String = "unauthorised_access") -> String {
        #"{"discovered_at":"\#(discovered)","kind":"\#(kind)","description":"\#(secret)","scope":{"from":"\#(from)","until":"\#(until)"\#(filters)}}"#
    }

    /// The affected subjects and organisations of an answer.
    static func affected(_ body: String) -> (subjects: [String], organisations: [String], counts: [Int]) {
        let affected = object(body)["affected"] as? [String: Any] ?? [:]
        return (
            affected["subjects"] as? [String] ?? ["missing"], affected["organisations"] as? [String] ?? ["missing"],
            [affected["subject_count"] as? Int ?? -1, affected["organisation_count"] as? Int ?? -1])
    }

    @Test("the affected subjects and organisations come from the audit log: by window, actor, certificate and organisation; refusals and other windows do not count")
    func impactFromTheAuditLog() async throws {
        try await Self.serving(components: [.vault]) { harness, pools in
            try await harness.addAccount("officer.one", role: "compliance_officer", region: nil)
            let readerA = try await harness.addAccount("reader.a")
            let readerB = try await harness.addAccount("reader.b", organisation: "bilet://school/77-9999")
            // reader.a signs in with ws/21: the auth.succeeded record names that certificate.
            #expect(try await harness.login("reader.a", certificate: "school-ws21").status == 201)
            let token = try #require(try await harness.login("officer.one").token)
            let before = try await Self.databaseTime(harness, plus: -1)
            let log = AuditLog()
            let reads: [(actor: String, subject: String, decision: AuditDecision)] = [
                (readerA.actor, Self.a1, .permit), (readerA.actor, Self.a2, .permit), (readerA.actor, Self.a3, .deny),
                (readerB.actor, Self.b1, .permit),
            ]
            for (actor, subject, decision) in reads {
                try await log.append(
                    PIIRead(
                        actor: actor, subject: subject, decision: decision, purpose: "enrolment", fieldsRequested: ["surname"],
                        fieldsReturned: decision == .permit ? ["surname"] : [], reason: decision == .deny ? "forbidden" : nil),
                    using: pools[0])
            }
            try await log.append(
                PIIWritten(
                    actor: readerB.actor, subject: Self.b2, decision: .permit, purpose: "enrolment", fieldsWritten: ["phone"], operation: .update),
                using: pools[0])
            let after = try await Self.databaseTime(harness, plus: 1)
            let discovered = try await Self.databaseTime(harness, plus: -60)
            let serial = try harness.serial("school-ws21")

            let cases: [(filters: String, subjects: [String], organisations: [String])] = [
                ("", [Self.a1, Self.a2, Self.b1, Self.b2], ["bilet://school/77-1234", "bilet://school/77-9999"]),
                (#","actor":"\#(readerA.actor)""#, [Self.a1, Self.a2], ["bilet://school/77-1234"]),
                (#","certificate":"\#(serial.uppercased())""#, [Self.a1, Self.a2], ["bilet://school/77-1234"]),
                (#","organisation":"bilet://school/77-9999""#, [Self.b1, Self.b2], ["bilet://school/77-9999"]),
                (#","actor":"\#(readerA.actor)","organisation":"bilet://school/77-9999""#, [], []),
            ]
            var ids: [String] = []
            for scope in cases {
                let created = try await harness.curl(
                    "POST", "/v1/incidents", token: token,
                    json: Self.report(discovered: discovered, from: before, until: after, filters: scope.filters))
                #expect(created.status == 201, "\(created.body)")
                let affected = Self.affected(created.body)
                #expect(affected.subjects == scope.subjects, "\(scope.filters)")
                #expect(affected.organisations == scope.organisations, "\(scope.filters)")
                #expect(affected.counts == [scope.subjects.count, scope.organisations.count])
                ids.append(Self.object(created.body)["id"] as? String ?? "")
            }
            let earlier = try await harness.curl(
                "POST", "/v1/incidents", token: token,
                json: Self.report(discovered: discovered, from: "2026-01-01T00:00:00Z", until: before))
            #expect(earlier.status == 201)
            #expect(Self.affected(earlier.body).subjects == [], "another window selects none of these events")

            let read = try await harness.curl("GET", "/v1/incidents/\(ids[0])", token: token)
            #expect(read.status == 200)
            #expect(Self.affected(read.body).subjects == [Self.a1, Self.a2, Self.b1, Self.b2])
            #expect(Self.object(read.body)["description"] as? String == Self.secret)

            let changes = try await harness.auditEvents("incident.changed")
            #expect(changes.count == 6)
            #expect(changes.allSatisfy { $0.actor?.hasPrefix("user:usr_") == true })
            #expect(changes[0].payload.contains(#""affected_subjects": 4"#))
            #expect(changes[0].payload.contains(#""change": "recorded""#))
            #expect(changes[0].payload.contains(ids[0]))
            for change in changes {
                #expect(!change.payload.contains("служебная"), "the description never reaches the audit log")
                #expect(!change.payload.contains("sub_incident"), "nor the affected tokens")
            }
        }
    }

    @Test("deadlines: 24 and 72 hours from discovery, due or overdue by the database's clock, sent when marked; the notices carry them and the counts")
    func deadlinesAndNotices() async throws {
        try await Self.serving { harness, _ in
            try await harness.addAccount("security.one", role: "security_admin", region: nil)
            let token = try #require(try await harness.login("security.one").token)
            let from = "2026-01-01T00:00:00Z"
            let until = try await Self.databaseTime(harness, plus: 60)
            var ids: [Int: String] = [:]
            var bodies: [Int: String] = [:]
            for hours in [1, 30, 80] {
                let discovered = try await Self.databaseTime(harness, plus: -hours * 3600)
                let created = try await harness.curl(
                    "POST", "/v1/incidents", token: token, json: Self.report(discovered: discovered, from: from, until: until, kind: "disclosure"))
                #expect(created.status == 201, "\(created.body)")
                ids[hours] = Self.object(created.body)["id"] as? String
                bodies[hours] = created.body
            }
            func states(_ body: String) -> [String?] {
                let object = Self.object(body)
                return ["first_notice", "results"].map { ((object[$0] as? [String: Any])?["state"] as? String) }
            }
            #expect(states(bodies[1]!) == ["due", "due"])
            #expect(states(bodies[30]!) == ["overdue", "due"])
            #expect(states(bodies[80]!) == ["overdue", "overdue"])
            let discovered = try #require(ISO8601DateFormatter().date(from: Self.object(bodies[30]!)["discovered_at"] as? String ?? ""))
            let firstDue = (Self.object(bodies[30]!)["first_notice"] as? [String: Any])?["due_at"] as? String
            #expect(firstDue == ISO8601DateFormatter().string(from: discovered.addingTimeInterval(24 * 3600)))

            let early = try await harness.curl("PATCH", "/v1/incidents/\(ids[30]!)", token: token, json: #"{"results_sent":true}"#)
            #expect(early.status == 409)
            #expect(early.body == Self.noticeOrder)
            let sent = try await harness.curl(
                "PATCH", "/v1/incidents/\(ids[30]!)", token: token, json: #"{"first_notice_sent":true,"status":"investigating"}"#)
            #expect(sent.status == 200, "\(sent.body)")
            #expect(states(sent.body) == ["sent", "due"])
            #expect(Self.object(sent.body)["status"] as? String == "investigating")

            let list = try await harness.curl("GET", "/v1/incidents", token: token)
            #expect(list.status == 200)
            let listed = (Self.object(list.body)["incidents"] as? [[String: Any]] ?? []).map { item in
                ["first_notice", "results"].map { ((item[$0] as? [String: Any])?["state"] as? String) ?? "?" }
            }
            #expect(listed == [["due", "due"], ["sent", "due"], ["overdue", "overdue"]], "latest discovery first")

            let notices = try await harness.curl("GET", "/v1/incidents/\(ids[80]!)/notices", token: token)
            #expect(notices.status == 200)
            let object = Self.object(notices.body)
            let first = try #require(object["first_notice"] as? [String: Any])
            let results = try #require(object["results"] as? [String: Any])
            #expect(first["state"] as? String == "overdue")
            let discovered80 = try #require(ISO8601DateFormatter().date(from: Self.object(bodies[80]!)["discovered_at"] as? String ?? ""))
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "dd.MM.yyyy HH:mm"
            let due24 = formatter.string(from: discovered80.addingTimeInterval(24 * 3600)) + " UTC"
            let due72 = formatter.string(from: discovered80.addingTimeInterval(72 * 3600)) + " UTC"
            let firstText = try #require(first["text"] as? String)
            let resultsText = try #require(results["text"] as? String)
            #expect(firstText.contains("ч. 3.1 ст. 21 Федерального закона № 152-ФЗ"))
            #expect(firstText.contains("до \(due24) (в течение 24 часов"))
            #expect(firstText.contains("до \(due72) (в течение 72 часов"))
            #expect(firstText.contains("Количество субъектов персональных данных, чьи права затронуты (по журналу аудита): 0."))
            #expect(firstText.contains("неправомерная передача"))
            #expect(firstText.contains(ids[80]!))
            #expect(resultsText.contains("Срок направления: до \(due72)"))
            #expect(resultsText.contains("Результаты внутреннего расследования"))

            let changes = try await harness.auditEvents("incident.changed")
            #expect(changes.count == 4, "three recorded, one updated; a refused update changes nothing")
            #expect(changes[3].payload.contains(#""fields": ["status", "first_notice_sent_at"]"#))
            #expect(changes[3].payload.contains(#""status": "investigating""#))
        }
    }

    @Test("only security administrators and compliance officers reach the register; every other role gets 403 forbidden, audited, before any body or id is read")
    func roles() async throws {
        try await Self.serving { harness, _ in
            let now = try await Self.databaseTime(harness)
            let body = Self.report(discovered: now, from: "2026-01-01T00:00:00Z", until: now)
            for role in ["compliance_officer", "security_admin"] {
                try await harness.addAccount("allowed.\(role)", role: role, region: nil)
                let token = try #require(try await harness.login("allowed.\(role)").token)
                let created = try await harness.curl("POST", "/v1/incidents", token: token, json: body)
                #expect(created.status == 201, "\(role): \(created.body)")
                let id = Self.object(created.body)["id"] as? String ?? ""
                #expect(try await harness.curl("GET", "/v1/incidents", token: token).status == 200, "\(role)")
                #expect(try await harness.curl("GET", "/v1/incidents/\(id)", token: token).status == 200, "\(role)")
                #expect(try await harness.curl("GET", "/v1/incidents/\(id)/notices", token: token).status == 200, "\(role)")
                #expect(try await harness.curl("PATCH", "/v1/incidents/\(id)", token: token, json: #"{"status":"closed"}"#).status == 200)
            }
            let recorded = try await harness.owner.query("SELECT id FROM incidents.incidents ORDER BY id LIMIT 1").singleValue(String.self)
            let deniedBefore = try await harness.auditEvents("policy.decided").count
            let refused: [(role: String, region: String?)] = [
                // A regional coordinator's account belongs to a region: StaffAdministration's tests sign one in on its own
                // workstation; the policy has no incident rule for it either (policies/tests/coordinator.test).
                ("operator", nil), ("school", "77"), ("navigator", "77"), ("methodologist", nil),
            ]
            for (role, region) in refused {
                try await harness.addAccount("refused.\(role)", role: role, region: region)
                let token = try #require(try await harness.login("refused.\(role)").token, "\(role)")
                let answers = [
                    try await harness.curl("POST", "/v1/incidents", token: token, json: body),
                    try await harness.curl("GET", "/v1/incidents", token: token),
                    try await harness.curl("GET", "/v1/incidents/\(recorded)", token: token),
                    try await harness.curl("GET", "/v1/incidents/\(recorded)/notices", token: token),
                    try await harness.curl("PATCH", "/v1/incidents/\(recorded)", token: token, json: #"{"status":"closed"}"#),
                    try await harness.curl("GET", "/v1/incidents/inc_AAAAAAAAAAAAAAAAAAAAAA", token: token),
                ]
                for answer in answers {
                    #expect(answer.status == 403, "\(role)")
                    #expect(answer.body == Self.forbidden, "\(role)")
                }
            }
            let denials = try await harness.auditEvents("policy.decided")
            #expect(denials.count - deniedBefore == refused.count * 6)
            for denial in denials.dropFirst(deniedBefore) {
                #expect(denial.payload.contains(#""resource": "incident""#))
                #expect(denial.actor?.hasPrefix("user:usr_") == true)
            }
            let count = try await harness.owner.query("SELECT count(*) FROM incidents.incidents").singleValue(Int.self)
            #expect(count == 2, "refused callers recorded nothing")
            let statuses = try await harness.owner.query("SELECT count(*) FROM incidents.incidents WHERE status = 'closed'").singleValue(Int.self)
            #expect(statuses == 2)
            #expect(try await harness.curl("GET", "/v1/incidents").status == 401, "no session")
        }
    }

    @Test("bad input: missing fields, a bad kind or window, discovery in the future, an unknown incident, an empty update")
    func badInput() async throws {
        try await Self.serving { harness, _ in
            try await harness.addAccount("officer.two", role: "compliance_officer", region: nil)
            let token = try #require(try await harness.login("officer.two").token)
            let now = try await Self.databaseTime(harness)
            let inAnHour = try await Self.databaseTime(harness, plus: 3600)
            let scope = #""scope":{"from":"2026-01-01T00:00:00Z","until":"\#(now)"}"#
            let invalid = [
                #"{"kind":"loss","description":"x",\#(scope)}"#,
                #"{"discovered_at":"\#(now)","description":"x",\#(scope)}"#,
                #"{"discovered_at":"\#(now)","kind":"loss",\#(scope)}"#,
                #"{"discovered_at":"\#(now)","kind":"loss","description":"x"}"#,
                #"{"discovered_at":"\#(now)","kind":"breach","description":"x",\#(scope)}"#,
                #"{"discovered_at":"yesterday","kind":"loss","description":"x",\#(scope)}"#,
                #"{"discovered_at":"\#(now)","kind":"loss","description":"   ",\#(scope)}"#,
                #"{"discovered_at":"\#(now)","kind":"loss","description":"x","scope":{"from":"\#(now)","until":"2026-01-01T00:00:00Z"}}"#,
                #"{"discovered_at":"\#(now)","kind":"loss","description":"x","scope":{"from":"2026-01-01T00:00:00Z"}}"#,
                #"{"discovered_at":"\#(now)","kind":"loss","description":"x","scope":{"from":"2026-01-01T00:00:00Z","until":"\#(now)","certificate":"xyz"}}"#,
            ]
            for body in invalid {
                let answer = try await harness.curl("POST", "/v1/incidents", token: token, json: body)
                #expect(answer.status == 400, "\(body)")
                #expect(answer.body == Self.invalid, "\(body)")
            }
            let future = try await harness.curl(
                "POST", "/v1/incidents", token: token, json: Self.report(discovered: inAnHour, from: "2026-01-01T00:00:00Z", until: now))
            #expect(future.status == 422)
            #expect(future.body == Self.future)
            let malformed = try await harness.curl("POST", "/v1/incidents", token: token, json: #"{"discovered_at":17}"#)
            #expect(malformed.status == 400)
            #expect(malformed.body.contains(#""code":"malformed-request""#))
            for path in ["/v1/incidents/inc_AAAAAAAAAAAAAAAAAAAAAA", "/v1/incidents/inc_AAAAAAAAAAAAAAAAAAAAAA/notices", "/v1/incidents/17"] {
                let answer = try await harness.curl("GET", path, token: token)
                #expect(answer.status == 404, "\(path)")
                #expect(answer.body == Self.notFound, "\(path)")
            }
            let unknownUpdate = try await harness.curl(
                "PATCH", "/v1/incidents/inc_AAAAAAAAAAAAAAAAAAAAAA", token: token, json: #"{"status":"closed"}"#)
            #expect(unknownUpdate.status == 404)
            #expect(unknownUpdate.body == Self.notFound)
            let created = try await harness.curl(
                "POST", "/v1/incidents", token: token, json: Self.report(discovered: now, from: "2026-01-01T00:00:00Z", until: now))
            let id = Self.object(created.body)["id"] as? String ?? ""
            for body in [#"{}"#, #"{"status":"done"}"#, #"{"description":""}"#] {
                let answer = try await harness.curl("PATCH", "/v1/incidents/\(id)", token: token, json: body)
                #expect(answer.status == 400, "\(body)")
                #expect(answer.body == Self.invalid, "\(body)")
            }
            let count = try await harness.owner.query("SELECT count(*) FROM incidents.incidents").singleValue(Int.self)
            #expect(count == 1)
            #expect(try await harness.auditEvents("incident.changed").count == 1)
        }
    }

    @Test("least privilege (migrations 0860, 0890): the gateway's role cannot delete an incident, rewrite its discovery, kind or scope, or read the audit log; other roles cannot reach the register")
    func privileges() async throws {
        try await Self.serving(components: [.vault, .trials, .organisations]) { harness, pools in
            try await harness.addAccount("officer.three", role: "compliance_officer", region: nil)
            let token = try #require(try await harness.login("officer.three").token)
            let now = try await Self.databaseTime(harness)
            let created = try await harness.curl(
                "POST", "/v1/incidents", token: token, json: Self.report(discovered: now, from: "2026-01-01T00:00:00Z", until: now))
            let id = Self.object(created.body)["id"] as? String ?? ""
            let refused: [SQLStatement] = [
                "DELETE FROM incidents.incidents WHERE id = \(id)",
                "UPDATE incidents.incidents SET discovered_at = clock_timestamp() WHERE id = \(id)",
                "UPDATE incidents.incidents SET kind = 'loss' WHERE id = \(id)",
                "UPDATE incidents.incidents SET scope_from = scope_from - interval '1 day' WHERE id = \(id)",
                "SELECT count(*) FROM audit.events",
            ]
            for statement in refused {
                let error = await #expect(throws: PostgresError.self) { try await harness.gatewayPool.execute(statement) }
                #expect(error?.code == .server(.insufficientPrivilege), "\(statement)")
            }
            for pool in pools + [harness.accountsPool] {
                let error = await #expect(throws: PostgresError.self) {
                    try await pool.execute("SELECT count(*) FROM incidents.incidents")
                }
                #expect(error?.code == .server(.insufficientPrivilege))
            }
            let affected = await #expect(throws: PostgresError.self) {
                try await pools[0].execute("SELECT * FROM incidents.affected(\(id))")
            }
            #expect(affected?.code == .server(.insufficientPrivilege))

            // Migration 0890: the sent times the role may write are the database's clock, once. A
            // backdated notice is stamped with the clock instead; a recorded one never changes or
            // empties; updated_at is the clock whatever the statement says.
            try await harness.gatewayPool.execute(
                "UPDATE incidents.incidents SET first_notice_sent_at = '2000-01-01T00:00:00Z', updated_at = '2000-01-01T00:00:00Z' WHERE id = \(id)")
            let stamped = try await harness.owner.query(
                "SELECT first_notice_sent_at > clock_timestamp() - interval '1 minute' AND updated_at > clock_timestamp() - interval '1 minute' FROM incidents.incidents WHERE id = \(id)"
            ).singleValue(Bool.self)
            #expect(stamped)
            for statement: SQLStatement in [
                "UPDATE incidents.incidents SET first_notice_sent_at = '2000-01-01T00:00:00Z' WHERE id = \(id)",
                "UPDATE incidents.incidents SET first_notice_sent_at = NULL WHERE id = \(id)",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await harness.gatewayPool.execute(statement) }
                #expect(error?.code == .server(.checkViolation), "\(statement)")
            }
        }
    }
}
