import Foundation
import Pages
import ServeTestSupport
import Testing

/// The navigator's pages through a real `bilet serve` and curl over mutual TLS with the school's
/// development workstation certificate, each step checked against what the JSON API answers.
/// Synthetic data only.
@Suite(.serialized) struct NavigatorPagesServeTests {
    typealias Page = SchoolPagesServeTests

    @Test("a navigator enrols pupils and publishes a recommendation through the pages; refusals in Russian with the API's status")
    func navigatorWorksThroughThePages() async throws {
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let accounts = try run.addAccounts([
            ("school.a", "school", "bilet://school/77-0001", "77"), ("nav.a", "navigator", "bilet://school/77-0001", "77"),
            ("nav.b", "navigator", "bilet://school/77-0001", "77"), ("venue.1", "venue", "bilet://venue/77-0042", "77"),
            ("mentor.1", "mentor", "bilet://venue/77-0042", "77"), ("coord.77", "regional_coordinator", "bilet://region/77", "77"),
        ])
        try run.initialiseVault()
        let json = ServeRun.json
        func api(_ client: String, _ token: String, _ path: String, method: String = "GET", body: String? = nil) throws -> (http: String, body: String) {
            try run.call(port: port, client: client, token: token, path, method: method, type: body.map { _ in "application/json" }, body: body)
        }
        let school = try run.signIn(port: port, "school.a", client: "workstation")
        let navigatorToken = try run.signIn(port: port, "nav.a", client: "workstation")
        let venue = try run.signIn(port: port, "venue.1", client: "venue")
        let mentorToken = try run.signIn(port: port, "mentor.1", client: "venue")
        let coordinator = try run.signIn(port: port, "coord.77", client: "region")

        // Pupils of school 77-0001: Анна, Борис and Вера assigned to nav.a (Вера's enrolment consent
        // withdrawn), Глеб to nav.b.
        func register(_ surname: String, _ first: String, _ number: String) throws -> String {
            try run.registerPupil(port: port, token: school, surname: surname, firstName: first, number: number, purposes: ["recommendation"])
        }
        let anna = try register("Тестова", "Анна", "51")
        let boris = try register("Примеров", "Борис", "52")
        let vera = try register("Образцова", "Вера", "53")
        let gleb = try register("Пробный", "Глеб", "54")
        for (pupil, navigator) in [(anna, "nav.a"), (boris, "nav.a"), (vera, "nav.a"), (gleb, "nav.b")] {
            let assigned = try api(
                "workstation", school, "/v1/pupils/\(pupil)/navigators", method: "POST", body: #"{"navigator":"\#(try #require(accounts[navigator]))"}"#)
            try #require(assigned.http == "201", "\(assigned)")
        }
        let veraConsents = try #require(json(try api("workstation", school, "/v1/pupils/\(vera)/consents").body)["consents"] as? [[String: Any]])
        let veraEnrolment = try #require(veraConsents.first { $0["scope"] as? String == "enrolment" }?["consent"] as? String)
        let withdrawn = try api("workstation", school, "/v1/pupils/\(vera)/consents/\(veraEnrolment)/withdrawal", method: "POST")
        try #require(withdrawn.http == "200", "\(withdrawn)")

        // The venue's events: two running now (one seat, five seats) and one tomorrow, approved; a draft.
        let place = try api("venue", venue, "/v1/trials/places", method: "POST", body: #"{"name":"Мастерская 1","address":"Москва, ул. Тестовая, 1","capacity":30}"#)
        try #require(place.http == "201", "\(place)")
        let placeID = try #require(json(place.body)["id"] as? Int)
        let mentorID = try #require(accounts["mentor.1"])
        try #require(try api("venue", venue, "/v1/trials/mentors", method: "POST", body: #"{"account":"\#(mentorID)"}"#).http == "201")
        func event(_ title: String, from start: TimeInterval, seats: Int, approve: Bool = true) throws -> Int {
            let created = try api(
                "venue", venue, "/v1/trials/events", method: "POST",
                body: """
                    {"kind":"trial","title":"\(title)","startsAt":"\(Date().addingTimeInterval(start).ISO8601Format())",\
                    "endsAt":"\(Date().addingTimeInterval(start + 7_200).ISO8601Format())","place":\(placeID),"capacity":\(seats),\
                    "sphere":"engineering","competencies":["robotics"],"format":"in_person","mentor":"\(mentorID)"}
                    """)
            try #require(created.http == "201", "\(created)")
            let id = try #require(json(created.body)["id"] as? Int)
            if approve {
                try #require(try api("venue", venue, "/v1/trials/events/\(id)/submit", method: "POST").http == "200")
                try #require(try api("region", coordinator, "/v1/trials/events/\(id)/approve", method: "POST").http == "200")
            }
            return id
        }
        let robotics = try event("Проба: робототехника", from: -3_600, seats: 1)
        let drawing = try event("Проба: черчение", from: -3_600, seats: 5)
        let tomorrow = try event("Проба: мехатроника", from: 86_400, seats: 5)
        let draft = try event("Проба: черновик", from: 86_400, seats: 5, approve: false)
        let ended = try event("Проба: прошедшая", from: -10_800, seats: 5)

        // MARK: The events open for enrolment, as the API lists them for the navigator
        let navigator = try RegionVenueMentorPagesServeTests.signIn(run, port: port, client: "workstation", "nav.a")
        func page(_ path: String, method: String = "GET", form: [(String, String)]? = nil) throws -> SchoolPagesServeTests.Answer {
            try Page.page(run, port: port, client: "workstation", path, method: method, cookie: navigator.cookie, form: form)
        }
        let home = try page("/app/home")
        #expect(home.http == "200", "\(home)")
        #expect(home.body.contains(#"<li><a href="/app/navigator/events">Записать учеников на мероприятия</a></li>"#))
        #expect(home.body.contains(#"<li><a href="/app/navigator/recommendations">Рекомендации учеников</a></li>"#), "the menu")
        #expect(!home.body.contains("/app/pupils/new"))
        let apiEvents = try #require(json(try api("workstation", navigatorToken, "/v1/trials/events").body)["events"] as? [[String: Any]])
        #expect(apiEvents.compactMap { $0["id"] as? Int } == [robotics, drawing, tomorrow])
        // Only the fields the policy releases to a navigator (title, place, schedule, capacity) and the id.
        #expect(apiEvents.allSatisfy { Set($0.keys) == ["id", "title", "place", "startsAt", "endsAt", "capacity"] }, "\(apiEvents)")
        let approvedOnly = try api("workstation", navigatorToken, "/v1/trials/events?status=approved")
        #expect(approvedOnly.http == "200", "\(approvedOnly)")
        #expect((json(approvedOnly.body)["events"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [robotics, drawing, tomorrow])
        for status in ["submitted", "draft"] {
            let other = try api("workstation", navigatorToken, "/v1/trials/events?status=\(status)")
            #expect(other.http == "400", "\(status): \(other)")
            #expect(json(other.body)["code"] as? String == "invalid-event", "as the coordinator's branch refuses")
        }
        let events = try page("/app/navigator/events")
        #expect(events.http == "200", "\(events)")
        #expect(events.headers["content-security-policy"] == Page.pageCSP)
        #expect(events.body.contains("<caption>Открыто для записи: 3</caption>"), "\(events)")
        #expect(events.body.contains(#"<a href="/app/navigator/events/\#(robotics)">Проба: робототехника</a>"#))
        #expect(events.body.contains(#"<a href="/app/navigator/events/\#(tomorrow)">Проба: мехатроника</a>"#))
        #expect(!events.body.contains("Проба: черновик"))
        #expect(!events.body.contains("Проба: прошедшая"), "an event that has ended is not listed")
        #expect(events.body.contains("<td>№ \(placeID)</td>\n<td>1</td>"), "the place's number and the seats: \(events.body)")
        #expect(!events.body.contains("77-0042") && !events.body.contains("профпроба"), "no venue or kind: the navigator's answer has none")
        #expect(try page("/app/navigator/events/\(draft)").http == "404", "a draft is no event to enrol in")

        // MARK: Enrolling: all of the navigator's pupils, by name as the vault releases it for enrolment
        // 120 more assignments of nav.a (synthetic tokens of no registered pupil, stored directly): the
        // page offers all 123, beyond the vault's page of 100.
        let navigatorID = try #require(accounts["nav.a"])
        let fake = "sub_zzzzzzzzzzzzzzzzzz"
        _ = try run.sql(
            """
            INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id, valid_from, valid_until)
            SELECT 'assigned_navigator', 'pupil', '\(fake)' || lpad(g::text, 3, '0') || 'A', 'user', '\(navigatorID)', now() - interval '1 day',
                   now() + interval '1 day'
            FROM generate_series(1, 120) g
            """)
        func reads(_ purpose: String, _ decision: String? = nil) throws -> Int {
            Int(try run.sql(
                """
                SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND actor = 'user:\(navigatorID)' AND purpose = '\(purpose)'
                \(decision.map { "AND decision = '\($0)'" } ?? "")
                """)) ?? -1
        }
        let eventPage = try page("/app/navigator/events/\(robotics)")
        #expect(eventPage.http == "200", "\(eventPage)")
        #expect(eventPage.body.contains(#"<option value="\#(anna)">Тестова Анна</option>"#), "\(eventPage)")
        #expect(eventPage.body.contains(#"<option value="\#(boris)">Примеров Борис</option>"#))
        #expect(!eventPage.body.contains(gleb), "another navigator's pupil is not offered")
        // Вера's enrolment consent is withdrawn: her name is not read for enrolment (her recommendation consent does not count).
        #expect(eventPage.body.contains(#"<option value="\#(vera)">Ученик \#(vera) (имя скрыто: недоступно)</option>"#))
        #expect(!eventPage.body.contains("Образцова"))
        #expect(eventPage.body.components(separatedBy: #"<option value="\#(fake)"#).count - 1 == 240, "120 in each of the two forms")
        #expect(eventPage.body.contains(#"<option value="\#(fake)120A">Ученик \#(fake)120A (имя скрыто: недоступно)</option>"#))
        // Each name read for enrolment, audited per pupil (Анна and Борис released; Вера and the 120 refused); nothing
        // read for recommendation, no module token resolved.
        #expect(try reads("enrolment") == 123)
        #expect(try reads("enrolment", "permit") == 2)
        #expect(try run.sql(
            "SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND actor = 'user:\(navigatorID)' AND subject = '\(vera)' AND decision = 'deny' AND purpose = 'enrolment'") == "1")
        #expect(try reads("recommendation") == 0)
        #expect(try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'token.resolved' AND actor = 'user:\(navigatorID)'") == "0")
        _ = try run.sql("UPDATE policy.relationships SET expired_at = now() WHERE subject_id LIKE '\(fake)%'")
        #expect(!(try page("/app/navigator/events/\(robotics)").body.contains(fake)), "the expired assignments are gone")
        #expect(eventPage.body.contains("Вы ещё никого не записали на это мероприятие."))
        func seats(_ event: Int) throws -> [String: Any] { json(try api("workstation", navigatorToken, "/v1/trials/events/\(event)/seats").body) }

        // Without the CSRF token nothing happens.
        #expect(try page("/app/navigator/events/\(robotics)/enrolments", method: "POST", form: [("pupil", anna)]).http == "403")
        #expect(try seats(robotics)["seated"] as? Int == 0)
        // No pupil chosen: 422 above the form.
        let none = try page("/app/navigator/events/\(robotics)/enrolments", method: "POST", form: [("_csrf", navigator.csrf), ("pupil", "")])
        #expect(none.http == "422", "\(none)")
        #expect(none.body.contains(#"<p class="alert" role="alert" id="enrol-error">Выберите ученика.</p>"#))
        // Анна seated, Борис waiting: the event has one seat.
        let seated = try page("/app/navigator/events/\(robotics)/enrolments", method: "POST", form: [("_csrf", navigator.csrf), ("pupil", anna)])
        #expect(seated.http == "303", "\(seated)")
        #expect(seated.headers["location"] == "/app/navigator/events/\(robotics)?done=enrolled&state=seated")
        #expect(try page(try #require(seated.headers["location"])).body.contains(#"<p class="notice" role="status">Ученик записан: место за учеником.</p>"#))
        let waiting = try page("/app/navigator/events/\(robotics)/enrolments", method: "POST", form: [("_csrf", navigator.csrf), ("pupil", boris)])
        #expect(waiting.http == "303", "\(waiting)")
        #expect(waiting.headers["location"] == "/app/navigator/events/\(robotics)?done=enrolled&state=waiting&position=1")
        let afterWaiting = try page(try #require(waiting.headers["location"]))
        #expect(afterWaiting.body.contains("Ученик записан: мест нет, ученик в листе ожидания (1-й)."))
        #expect(afterWaiting.body.contains("<dt>Мест</dt><dd>1</dd>\n<dt>Занято</dt><dd>1</dd>\n<dt>В листе ожидания</dt><dd>1</dd>"))
        #expect(afterWaiting.body.contains("<li>место</li>\n<li>лист ожидания, 1-й</li>"), "\(afterWaiting)")
        let standing = try seats(robotics)
        #expect(standing["seated"] as? Int == 1)
        #expect(standing["waiting"] as? Int == 1)
        #expect((standing["yours"] as? [[String: Any]])?.compactMap { $0["state"] as? String } == ["seated", "waiting"])
        // Again: the enrolment as it stands (the API's 200).
        let again = try page("/app/navigator/events/\(robotics)/enrolments", method: "POST", form: [("_csrf", navigator.csrf), ("pupil", anna)])
        #expect(again.headers["location"] == "/app/navigator/events/\(robotics)?done=enrolled&state=seated&again=1")

        // Refusals above the form with the API's status: Вера's consent withdrawn, Глеб not this navigator's.
        let veraByAPI = try api("workstation", navigatorToken, "/v1/trials/events/\(drawing)/enrolments", method: "POST", body: #"{"pupil":"\#(vera)"}"#)
        #expect(veraByAPI.http == "403", "\(veraByAPI)")
        #expect(json(veraByAPI.body)["code"] as? String == "consent-withdrawn")
        let veraByPage = try page("/app/navigator/events/\(drawing)/enrolments", method: "POST", form: [("_csrf", navigator.csrf), ("pupil", vera)])
        #expect(veraByPage.http == "403", "\(veraByPage)")
        #expect(veraByPage.body.contains(#"<p class="alert" role="alert" id="enrol-error">Согласие ученика на эту цель отозвано: запись и рекомендации без него невозможны.</p>"#))
        #expect(veraByPage.body.contains(#"<option value="\#(vera)" selected>Ученик \#(vera) (имя скрыто: недоступно)</option>"#), "the chosen pupil kept")
        let glebByAPI = try api("workstation", navigatorToken, "/v1/trials/events/\(drawing)/enrolments", method: "POST", body: #"{"pupil":"\#(gleb)"}"#)
        #expect(glebByAPI.http == "404", "\(glebByAPI)")
        let glebByPage = try page("/app/navigator/events/\(drawing)/enrolments", method: "POST", form: [("_csrf", navigator.csrf), ("pupil", gleb)])
        #expect(glebByPage.http == "404", "\(glebByPage)")
        #expect(glebByPage.body.contains(#"<p class="alert" role="alert" id="enrol-error">Этот ученик не закреплён за вами (или такого ученика нет).</p>"#))
        #expect(try seats(drawing)["seated"] as? Int == 0, "nothing enrolled by the refusals")
        // An event that has ended: the API's 409 in Russian.
        let endedByAPI = try api("workstation", navigatorToken, "/v1/trials/events/\(ended)/enrolments", method: "POST", body: #"{"pupil":"\#(anna)"}"#)
        #expect(endedByAPI.http == "409", "\(endedByAPI)")
        let endedByPage = try page("/app/navigator/events/\(ended)/enrolments", method: "POST", form: [("_csrf", navigator.csrf), ("pupil", anna)])
        #expect(endedByPage.http == "409", "\(endedByPage)")
        #expect(
            endedByPage.body.contains(
                #"<p class="alert" role="alert" id="enrol-error">Запись на это мероприятие закрыта: оно уже закончилось или больше не согласовано.</p>"#))
        // Анна in the second event too (for her recommendations below).
        #expect(try page("/app/navigator/events/\(drawing)/enrolments", method: "POST", form: [("_csrf", navigator.csrf), ("pupil", anna)]).http == "303")

        // Cancelling: Борис leaves the waiting list; again 409 in Russian.
        #expect(try page("/app/navigator/events/\(robotics)/cancel", method: "POST", form: [("pupil", boris)]).http == "403")
        let cancelled = try page("/app/navigator/events/\(robotics)/cancel", method: "POST", form: [("_csrf", navigator.csrf), ("pupil", boris)])
        #expect(cancelled.http == "303", "\(cancelled)")
        #expect(cancelled.headers["location"] == "/app/navigator/events/\(robotics)?done=cancelled&state=waiting&promoted=0")
        #expect(try page(try #require(cancelled.headers["location"])).body.contains("Запись отменена (ученик был в листе ожидания)."))
        #expect(try seats(robotics)["waiting"] as? Int == 0)
        let notEnrolled = try page("/app/navigator/events/\(robotics)/cancel", method: "POST", form: [("_csrf", navigator.csrf), ("pupil", boris)])
        #expect(notEnrolled.http == "409", "\(notEnrolled)")
        #expect(notEnrolled.body.contains(#"<p class="alert" role="alert" id="cancel-error">Этот ученик не записан на мероприятие.</p>"#))

        // MARK: Recommendations
        // The mentor marks Анна present with a 5 at both running events (through the API): enough for the engine.
        for id in [robotics, drawing] {
            let sheet = try #require(json(try api("venue", mentorToken, "/v1/trials/events/\(id)/attendance").body)["pupils"] as? [[String: Any]])
            let trialsToken = try #require(sheet.first?["pupil"] as? String)
            let marked = try api("venue", mentorToken, "/v1/trials/events/\(id)/attendance/\(trialsToken)", method: "PUT", body: #"{"attended":true,"grade":5}"#)
            try #require(marked.http == "204", "\(marked)")
        }
        let list = try page("/app/navigator/recommendations")
        #expect(list.http == "200", "\(list)")
        #expect(list.body.contains(#"<a href="/app/navigator/recommendations/\#(anna)">Тестова Анна</a>"#), "\(list)")
        #expect(list.body.contains("<p>Черновиков: 0. Опубликовано: 0.</p>"))
        let review = "/app/navigator/recommendations/\(anna)"
        #expect(try page(review).body.contains("Рекомендаций пока нет: подготовьте черновики."))
        #expect(try page(review + "/generate", method: "POST", form: []).http == "403")
        let generated = try page(review + "/generate", method: "POST", form: [("_csrf", navigator.csrf)])
        #expect(generated.http == "303", "\(generated)")
        #expect(generated.headers["location"] == review + "?done=generated")
        func apiItems() throws -> [[String: Any]] {
            try #require(json(try api("workstation", navigatorToken, "/v1/recommendations/pupils/\(anna)").body)["recommendations"] as? [[String: Any]])
        }
        let drafts = try apiItems()
        let sphere = try #require(drafts.first { $0["kind"] as? String == "sphere" })
        let sphereID = try #require(sphere["id"] as? Int)
        let sphereTitle = try #require(sphere["title"] as? String)
        #expect(drafts.allSatisfy { $0["status"] as? String == "draft" })
        let reviewPage = try page(review + "?done=generated")
        #expect(reviewPage.body.contains("Черновики подготовлены заново по результатам тестов и проб."))
        #expect(reviewPage.body.components(separatedBy: #"<textarea id="text-"#).count == drafts.count + 1, "a text form per draft")
        #expect(reviewPage.body.contains(#"<form method="post" action="\#(review)/items/\#(sphereID)/publish" class="inline">"#))
        let listed = try page("/app/navigator/recommendations")
        #expect(listed.body.contains("<p>Черновиков: \(drafts.count). Опубликовано: 0.</p>"))
        #expect(listed.body.contains("<li>\(sphereTitle) <span class=\"hint\">(сфера)</span></li>"))

        // The text: empty refused next to its field (422, nothing changed), then saved as the API reads it.
        let empty = try page(review + "/items/\(sphereID)", method: "POST", form: [("_csrf", navigator.csrf), ("text", "  ")])
        #expect(empty.http == "422", "\(empty)")
        #expect(empty.body.contains(#"<p class="error" id="text-\#(sphereID)-error">Напишите текст рекомендации.</p>"#))
        #expect(try apiItems().first { $0["id"] as? Int == sphereID }?["text"] as? String == sphere["text"] as? String)
        let text = "Анна, попробуйте инженерный кружок: вы хорошо показали себя на пробах."
        let edited = try page(review + "/items/\(sphereID)", method: "POST", form: [("_csrf", navigator.csrf), ("text", text)])
        #expect(edited.http == "303", "\(edited)")
        #expect(try apiItems().first { $0["id"] as? Int == sphereID }?["text"] as? String == text)
        // An unknown item: the API's 404 in Russian.
        let unknown = try page(review + "/items/999999/publish", method: "POST", form: [("_csrf", navigator.csrf)])
        #expect(unknown.http == "404", "\(unknown)")
        #expect(unknown.body.contains(#"<p class="alert" role="alert">У этого ученика нет такой рекомендации.</p>"#))
        // Published, as the API sees it; the page shows it without a form.
        #expect(try page(review + "/items/\(sphereID)/publish", method: "POST", form: []).http == "403")
        let published = try page(review + "/items/\(sphereID)/publish", method: "POST", form: [("_csrf", navigator.csrf)])
        #expect(published.http == "303", "\(published)")
        #expect(published.headers["location"] == review + "?done=published")
        let item = try #require(try apiItems().first { $0["id"] as? Int == sphereID })
        #expect(item["status"] as? String == "published")
        #expect(item["publishedAt"] != nil)
        let after = try page(review + "?done=published")
        #expect(after.body.contains("Рекомендация опубликована: ученик видит её в личном кабинете."))
        #expect(after.body.contains("<p>\(text)</p>"))
        // The publication time in Moscow time, as every other page shows times.
        let stamp = try #require(item["publishedAt"] as? String)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = stamp.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        let publishedAt = try #require(formatter.date(from: stamp), "\(stamp)")
        #expect(after.body.contains("Опубликовано \(RussianFormat.moscowDateTime(publishedAt)) (время московское).</p>"), "\(after.body)")
        #expect(!after.body.contains(#"id="text-\#(sphereID)""#))
        #expect(try page("/app/navigator/recommendations").body.contains("Опубликовано: 1.</p>"))
        // Another navigator's pupil: the API's 404.
        let foreign = try page("/app/navigator/recommendations/\(gleb)")
        #expect(foreign.http == "404", "\(foreign)")
        #expect(foreign.body.contains("Этот ученик не закреплён за вами (или такого ученика нет)."))

        // MARK: Another role
        let staff = try RegionVenueMentorPagesServeTests.signIn(run, port: port, client: "workstation", "school.a")
        for path in ["/app/navigator/events", "/app/navigator/events/\(robotics)", "/app/navigator/recommendations", review] {
            let refused = try Page.page(run, port: port, client: "workstation", path, cookie: staff.cookie)
            #expect(refused.http == "403", "\(path): \(refused)")
            #expect(refused.body.contains("Эта страница для навигатора."))
        }
        let schoolEnrols = try Page.page(
            run, port: port, client: "workstation", "/app/navigator/events/\(drawing)/enrolments", method: "POST", cookie: staff.cookie,
            form: [("_csrf", staff.csrf), ("pupil", boris)])
        #expect(schoolEnrols.http == "403")
        #expect(try page("/app/venue/places").http == "403", "the navigator is refused the venue's pages")
        #expect(try Page.page(run, port: port, client: "workstation", "/app/navigator/events").http == "303", "no session: to the sign-in")
    }
}
