import Foundation
import ServeTestSupport
import Testing

/// The pupil's events through a real `bilet serve`: a venue's two events approved by the region's
/// coordinator, the navigator enrols the pupil in one (seated) and in the other behind a classmate
/// (waiting, first in line); `GET /v1/pupil/events` and the pupil's page (phone-sized, the pupils'
/// listener) list the same, the classmate sees only their own, and the trials token never shows.
/// Synthetic data only.
@Suite(.serialized) struct PupilEventsServeTests {
    @Test("a pupil sees the events they are enrolled in, seated or waiting, through the API and the page")
    func pupilSeesTheirEvents() async throws {
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let pupils = try #require(ports["pupils"])
        let accounts = try run.addAccounts([
            ("school.a", "school", "bilet://school/77-0001", "77"), ("nav.a", "navigator", "bilet://school/77-0001", "77"),
            ("venue.1", "venue", "bilet://venue/77-0042", "77"), ("coord.77", "regional_coordinator", "bilet://region/77", "77"),
        ])
        try run.initialiseVault()
        let json = ServeRun.json
        func call(_ client: String, _ token: String, _ path: String, method: String = "GET", body: String? = nil) throws -> (http: String, body: String) {
            try run.call(port: port, client: client, token: token, path, method: method, type: body.map { _ in "application/json" }, body: body)
        }
        let school = try run.signIn(port: port, "school.a", client: "workstation")
        let navigator = try run.signIn(port: port, "nav.a", client: "workstation")
        let venue = try run.signIn(port: port, "venue.1", client: "venue")
        let coordinator = try run.signIn(port: port, "coord.77", client: "region")

        // Two pupils of the school with their own accounts, both assigned to the navigator.
        func register(_ surname: String, _ first: String, _ number: String) throws -> String {
            try run.registerPupil(port: port, token: school, surname: surname, firstName: first, number: number, purposes: ["self_service"])
        }
        let vera = try register("Тестова", "Вера", "41")
        let pavel = try register("Примеров", "Павел", "42")
        let navigatorID = try #require(accounts["nav.a"])
        for pupil in [vera, pavel] {
            let assigned = try call("workstation", school, "/v1/pupils/\(pupil)/navigators", method: "POST", body: #"{"navigator":"\#(navigatorID)"}"#)
            try #require(assigned.http == "201", "\(assigned)")
        }

        // The venue's two events (tomorrow and the day after, one seat each), approved.
        let place = try call("venue", venue, "/v1/trials/places", method: "POST", body: #"{"name":"Мастерская 1","address":"Москва, ул. Тестовая, 1","capacity":30}"#)
        try #require(place.http == "201", "\(place)")
        let placeID = try #require(json(place.body)["id"] as? Int)
        var events: [Int] = []
        for (title, days) in [("Проба: робототехника", 1.0), ("Проба: биотехнологии", 2.0)] {
            let start = Date().addingTimeInterval(days * 86_400).ISO8601Format()
            let end = Date().addingTimeInterval(days * 86_400 + 7_200).ISO8601Format()
            let created = try call(
                "venue", venue, "/v1/trials/events", method: "POST",
                body: """
                    {"kind":"trial","title":"\(title)","startsAt":"\(start)","endsAt":"\(end)","place":\(placeID),"capacity":1,
                     "sphere":"engineering","competencies":["robotics"],"format":"in_person"}
                    """)
            try #require(created.http == "201", "\(created)")
            let event = try #require(json(created.body)["id"] as? Int)
            try #require(try call("venue", venue, "/v1/trials/events/\(event)/submit", method: "POST").http == "200")
            try #require(try call("region", coordinator, "/v1/trials/events/\(event)/approve", method: "POST").http == "200")
            events.append(event)
        }
        // Vera seated in the first; Pavel seated in the second, Vera waiting behind him.
        for (event, pupil, status) in [(events[0], vera, "201"), (events[1], pavel, "201"), (events[1], vera, "202")] {
            let enrolled = try call("workstation", navigator, "/v1/trials/events/\(event)/enrolments", method: "POST", body: #"{"pupil":"\#(pupil)"}"#)
            try #require(enrolled.http == status, "\(enrolled)")
        }

        // The API, with the pupil's own session on the pupils' listener.
        let veraSession = try run.signInPupil(workstations: port, pupils: pupils, school: school, vera, login: "vera.e")
        let pavelSession = try run.signInPupil(workstations: port, pupils: pupils, school: school, pavel, login: "pavel.e")
        let own = try run.call(port: pupils, client: nil, token: veraSession, "/v1/pupil/events")
        #expect(own.http == "200", "\(own)")
        let listed = try #require(json(own.body)["events"] as? [[String: Any]])
        #expect(listed.compactMap { $0["event"] as? Int } == events)
        #expect(listed.compactMap { $0["state"] as? String } == ["seated", "waiting"])
        #expect(listed[1]["waitingPosition"] as? Int == 1)
        #expect(listed[0]["title"] as? String == "Проба: робототехника")
        #expect(listed[0]["placeName"] as? String == "Мастерская 1")
        #expect(!own.body.contains("trl_"), "the trials token never leaves the gateway")
        let pavels = try run.call(port: pupils, client: nil, token: pavelSession, "/v1/pupil/events")
        #expect((json(pavels.body)["events"] as? [[String: Any]])?.compactMap { $0["event"] as? Int } == [events[1]])
        // A staff session is no pupil session; without one, 401.
        #expect(try run.call(port: pupils, client: nil, token: school, "/v1/pupil/events").http == "401")
        #expect(try run.call(port: pupils, client: nil, token: nil, "/v1/pupil/events").http == "401")

        // The page shows the same, in Russian; the menu links it.
        let cookie = [PupilPagesServeTests.pupilCookie: veraSession]
        let page = try PupilPagesServeTests.page(run, port: pupils, "/app/pupil/events", cookies: cookie).answer
        #expect(page.http == "200", "\(page)")
        #expect(page.body.contains("<h1>Мои мероприятия</h1>"))
        #expect(page.body.contains(#"<li><a href="/app/pupil/events">Мероприятия</a></li>"#))
        #expect(page.body.contains("<p class=\"card-title\">Проба: робототехника</p>"))
        #expect(page.body.contains("<p>профессиональная проба, очно</p>"))
        #expect(page.body.contains("<p>Мастерская 1, Москва, ул. Тестовая, 1</p>"))
        #expect(page.body.contains("<p><strong>место за вами</strong></p>"))
        #expect(page.body.contains("<p>в листе ожидания: 1-й</p>"))
        #expect(!page.body.contains("trl_"))
        let home = try PupilPagesServeTests.page(run, port: pupils, "/app/pupil/home", cookies: cookie).answer
        #expect(home.body.contains(#"<li><a href="/app/pupil/events">Мои мероприятия</a></li>"#))
        let signedOut = try PupilPagesServeTests.page(run, port: pupils, "/app/pupil/events").answer
        #expect(signedOut.http == "303")
        #expect(signedOut.headers["location"] == "/app/pupil/sign-in")
        // On a workstation (a client certificate) the pupil's page is not served to the pupil's cookie.
        let onWorkstation = try PupilPagesServeTests.page(run, port: port, client: "workstation", "/app/pupil/events", cookies: cookie).answer
        #expect(onWorkstation.http != "200", "\(onWorkstation)")
    }
}
