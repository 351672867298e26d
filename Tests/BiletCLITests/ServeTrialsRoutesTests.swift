import Foundation
import Storage
import Testing
import ServeTestSupport

/// Trials and events through real `bilet serve` and curl with the development certificates: a
/// venue registers a place and a mentor and submits an event, cannot approve it itself (`403
/// self-approval`), the region's coordinator approves; a navigator enrols two pupils through the
/// vault's door (the second waits), again is `200` as it stands; the mentor running the event sees
/// the seated pupil's first name and surname initial through the door (purpose
/// `event_attendance`), another mentor gets `404`; grading a pupil not enrolled is `409
/// not-enrolled`; cancelling promotes the waiting pupil, whose name is withheld without an
/// `event_attendance` consent. The school assigns the pupils to the navigator through its route. Part of ``ServeCommandTests`` (serialised, run in the timed pass).
extension ServeCommandTests {
    @Test func venueCoordinatorNavigatorAndMentorRunAnEvent() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        for (login, role, organisation) in [
            ("school.a", "school", "bilet://school/77-0001"), ("nav.a", "navigator", "bilet://school/77-0001"),
            ("venue.1", "venue", "bilet://venue/77-0042"), ("mentor.1", "mentor", "bilet://venue/77-0042"),
            ("mentor.2", "mentor", "bilet://venue/77-0042"), ("coord.77", "regional_coordinator", "bilet://region/77"),
        ] {
            let add = try run.addAccount(login, role: role, organisation: organisation, region: "77")
            try #require(add.status == 0, "\(add.output)")
        }
        try run.initialiseVault()
        let json = ServeCommandTests.json
        func call(_ client: String, _ token: String, _ path: String, method: String = "GET", body: String? = nil) throws -> (http: String, body: String) {
            try run.call(port: port, client: client, token: token, path, method: method, type: body.map { _ in "application/json" }, body: body)
        }
        let school = try run.signIn(port: port, "school.a", client: "workstation")
        let navigator = try run.signIn(port: port, "nav.a", client: "workstation")
        let venue = try run.signIn(port: port, "venue.1", client: "venue")
        let mentor = try run.signIn(port: port, "mentor.1", client: "venue")
        let otherMentor = try run.signIn(port: port, "mentor.2", client: "venue")
        let coordinator = try run.signIn(port: port, "coord.77", client: "region")

        // Two pupils of school 77-0001: Anna's form consents to event_attendance, Boris's does not.
        func register(_ surname: String, _ first: String, _ number: String, purposes: String) throws -> String {
            let form = """
                {"pupil":{"surname":"\(surname)","first_name":"\(first)","birth_date":"2011-04-02","grade":"9","class":"Б"},
                 "guardian":{"surname":"\(surname)","first_name":"Мария","relation":"mother","phone":"+7 900 000-00-0\(number)"},
                 "consent":{"number":"\(number)/2025","signed_on":"2025-09-01","pupil_signed":true,"purposes":[\(purposes)]}}
                """
            let registered = try call("workstation", school, "/v1/pupils", method: "POST", body: form)
            try #require(registered.http == "201", "\(registered)")
            return try #require(json(registered.body)["token"] as? String)
        }
        let anna = try register("Тестова", "Анна", "1", purposes: #""event_attendance""#)
        let boris = try register("Примеров", "Борис", "2", purposes: "")
        let vera = try register("Образцова", "Вера", "3", purposes: #""event_attendance""#)

        // The school assigns both pupils to its navigator (the vault records assigned_navigator).
        let navigatorID = try run.sql("SELECT id FROM accounts.accounts WHERE login = 'nav.a'")
        let mentorID = try run.sql("SELECT id FROM accounts.accounts WHERE login = 'mentor.1'")
        for pupil in [anna, boris] {
            let assigned = try call("workstation", school, "/v1/pupils/\(pupil)/navigators", method: "POST", body: #"{"navigator":"\#(navigatorID)"}"#)
            try #require(assigned.http == "201", "\(assigned)")
        }

        // The venue: a place, a mentor, an event (running now, one seat), submitted.
        let place = try call("venue", venue, "/v1/trials/places", method: "POST", body: #"{"name":"Workshop 1","address":"Moscow, Testovaya 1","capacity":30}"#)
        #expect(place.http == "201", "\(place)")
        let placeID = try #require(json(place.body)["id"] as? Int)
        let registeredMentor = try call("venue", venue, "/v1/trials/mentors", method: "POST", body: #"{"account":"\#(mentorID)"}"#)
        #expect(registeredMentor.http == "201", "\(registeredMentor)")
        #expect(try call("venue", venue, "/v1/trials/mentors", method: "POST", body: #"{"account":"\#(navigatorID)"}"#).http == "422")
        let start = Date().addingTimeInterval(-3_600).ISO8601Format()
        let end = Date().addingTimeInterval(3_600).ISO8601Format()
        let created = try call(
            "venue", venue, "/v1/trials/events", method: "POST",
            body: """
                {"kind":"trial","title":"Robotics trial","startsAt":"\(start)","endsAt":"\(end)","place":\(placeID),"capacity":1,
                 "sphere":"engineering","competencies":["robotics"],"format":"in_person","mentor":"\(mentorID)"}
                """)
        #expect(created.http == "201", "\(created)")
        let event = try #require(json(created.body)["id"] as? Int)
        #expect(try call("venue", venue, "/v1/trials/events/\(event)/submit", method: "POST").http == "200")
        #expect(try call("workstation", navigator, "/v1/trials/events/\(event)/enrolments", method: "POST", body: #"{"pupil":"\#(anna)"}"#).http == "404")

        // The venue cannot approve its own event; the region's coordinator lists and approves it.
        let selfApproval = try call("venue", venue, "/v1/trials/events/\(event)/approve", method: "POST")
        #expect(selfApproval.http == "403", "\(selfApproval)")
        #expect(selfApproval.body.contains(#""code":"self-approval""#))
        let submitted = try call("region", coordinator, "/v1/trials/events?status=submitted")
        #expect(submitted.http == "200", "\(submitted)")
        #expect(submitted.body.contains(#""id":\#(event)"#))
        #expect(try call("region", coordinator, "/v1/trials/events/\(event)/approve", method: "POST").http == "200")

        // The navigator enrols: Anna seated, Boris waiting; Anna again changes nothing.
        let seated = try call("workstation", navigator, "/v1/trials/events/\(event)/enrolments", method: "POST", body: #"{"pupil":"\#(anna)"}"#)
        #expect(seated.http == "201", "\(seated)")
        #expect(json(seated.body)["state"] as? String == "seated")
        let waiting = try call("workstation", navigator, "/v1/trials/events/\(event)/enrolments", method: "POST", body: #"{"pupil":"\#(boris)"}"#)
        #expect(waiting.http == "202", "\(waiting)")
        #expect(json(waiting.body)["waitingPosition"] as? Int == 1)
        #expect(try call("workstation", navigator, "/v1/trials/events/\(event)/enrolments", method: "POST", body: #"{"pupil":"\#(anna)"}"#).http == "200")
        #expect(!seated.body.contains("trl_"), "the navigator never sees the trials token")
        // The school (not a navigator) cannot enrol: to it the event is not there (the refusal audited).
        let bySchool = try call("workstation", school, "/v1/trials/events/\(event)/enrolments", method: "POST", body: #"{"pupil":"\#(anna)"}"#)
        #expect(bySchool.http == "404", "\(bySchool)")
        #expect(bySchool.body.contains(#""code":"event-not-found""#))
        let seats = try call("workstation", navigator, "/v1/trials/events/\(event)/seats")
        #expect(json(seats.body)["seated"] as? Int == 1)
        #expect(json(seats.body)["waiting"] as? Int == 1)

        // The mentor's attendance list: Anna by first name and surname initial, through the door.
        let list = try call("venue", mentor, "/v1/trials/events/\(event)/attendance")
        #expect(list.http == "200", "\(list)")
        let rows = try #require(json(list.body)["pupils"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["firstName"] as? String == "Анна")
        let surname = try #require(rows.first?["surname"] as? String)
        #expect(surname.hasPrefix("Т") && !surname.contains("Тестова"))
        let annaTrials = try #require(rows.first?["pupil"] as? String)
        #expect(annaTrials.hasPrefix("trl_"))
        #expect(!list.body.contains("Борис"))
        #expect(json(list.body)["seated"] as? Int == 1)
        #expect(json(list.body)["next"] == nil, "one page holds the whole list")
        // The list comes a page at a time; a page past the end is empty, a malformed bound is refused.
        let past = try call("venue", mentor, "/v1/trials/events/\(event)/attendance?offset=1&limit=50")
        #expect(past.http == "200", "\(past)")
        #expect((json(past.body)["pupils"] as? [[String: Any]])?.isEmpty == true)
        for query in ["limit=0", "limit=201", "offset=-1", "offset=x"] {
            let refused = try call("venue", mentor, "/v1/trials/events/\(event)/attendance?\(query)")
            #expect(refused.http == "400", "\(query): \(refused)")
            #expect(refused.body.contains(#""code":"invalid-query""#), "\(query): \(refused)")
        }
        // Another mentor of the venue does not run it.
        #expect(try call("venue", otherMentor, "/v1/trials/events/\(event)/attendance").http == "404")

        // Marks: Anna graded; a pupil not enrolled is refused.
        let marked = try call(
            "venue", mentor, "/v1/trials/events/\(event)/attendance/\(annaTrials)", method: "PUT",
            body: #"{"attended":true,"grade":5,"feedback":"Built the arm first."}"#)
        #expect(marked.http == "204", "\(marked)")
        let stranger = "trl_" + String(repeating: "B", count: 22)
        let notEnrolled = try call(
            "venue", mentor, "/v1/trials/events/\(event)/attendance/\(stranger)", method: "PUT", body: #"{"attended":true,"grade":4}"#)
        #expect(notEnrolled.http == "409", "\(notEnrolled)")
        #expect(notEnrolled.body.contains(#""code":"not-enrolled""#))

        // Cancelling Anna promotes Boris, whose name the mentor does not get: no event_attendance consent.
        let cancelled = try call("workstation", navigator, "/v1/trials/events/\(event)/enrolments/\(anna)", method: "DELETE")
        #expect(cancelled.http == "200", "\(cancelled)")
        #expect(json(cancelled.body)["promoted"] as? Bool == true)
        let after = try call("venue", mentor, "/v1/trials/events/\(event)/attendance")
        let afterRows = try #require(json(after.body)["pupils"] as? [[String: Any]])
        #expect(afterRows.count == 1)
        #expect(afterRows.first?["firstName"] == nil)
        #expect(afterRows.first?["nameWithheld"] as? String == "consent-missing")
        #expect(!after.body.contains("Анна") && !after.body.contains("Борис"))

        // Modules attack review #2: a waiting row the trials module alone put in the event (Vera, whom no
        // navigator enrolled), first in line; cancelling Boris promotes her in the module, but the vault
        // never issued her enrolment, so it records no enrolled_in and the mentor does not get her name.
        let veraTrials = try run.sql(
            "SELECT m.token FROM vault.module_tokens m JOIN vault.subjects s ON s.id = m.subject_id WHERE s.token = '\(vera)' AND m.module = 'trials'")
        _ = try run.sql(
            """
            INSERT INTO trials.enrolments (event_id, pupil_token, state, enrolled_by, position) OVERRIDING SYSTEM VALUE
            VALUES (\(event), '\(veraTrials)', 'waiting', 'user:usr_planted', 0)
            """)
        let borisCancelled = try call("workstation", navigator, "/v1/trials/events/\(event)/enrolments/\(boris)", method: "DELETE")
        #expect(borisCancelled.http == "200", "\(borisCancelled)")
        #expect(json(borisCancelled.body)["promoted"] as? Bool == true)
        let planted = try call("venue", mentor, "/v1/trials/events/\(event)/attendance")
        let plantedRows = try #require(json(planted.body)["pupils"] as? [[String: Any]])
        #expect(plantedRows.first?["pupil"] as? String == veraTrials)
        #expect(plantedRows.first?["firstName"] == nil)
        #expect(plantedRows.first?["nameWithheld"] as? String == "pupil-not-found")
        #expect(!planted.body.contains("Вера"))
        #expect(try run.sql("SELECT count(*) FROM policy.relationships WHERE kind = 'enrolled_in' AND subject_id = '\(vera)'") == "0")
        #expect(try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND payload->>'rule' = 'vault.trials.seat-not-issued' AND subject = '\(vera)'") == "1")

        // The audit trail: enrolments, relationship facts, the refusal, the names read.
        #expect(try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'trials.enrolment_changed'") == "6")
        #expect(try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'trials.relationship_recorded' AND payload->>'relation' = 'enrolled_in'") == "4")
        #expect(try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'trials.relationship_recorded' AND payload->>'relation' = 'run_by'") == "1")
        #expect(try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND payload->>'action' = 'approve'") == "1")
        #expect(try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND payload->>'resource' = 'event' AND purpose = 'enrolment'") == "1")
        #expect(try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND purpose = 'event_attendance' AND decision = 'permit'") == "1")
        #expect(try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND purpose = 'event_attendance' AND decision = 'deny'") == "2")
        #expect(try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'token.resolved' AND purpose = 'enrolment' AND decision = 'permit'") == "5")
    }
}
