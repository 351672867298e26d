import Foundation
import ServeTestSupport
import Testing

/// The regional coordinator's, the venue's and the mentor's pages through a real `bilet serve`
/// and curl over mutual TLS with the development workstation certificates (the region's and the
/// venue's), each checked against what the JSON API answers. Synthetic data only.
@Suite(.serialized) struct RegionVenueMentorPagesServeTests {
    typealias Page = SchoolPagesServeTests

    /// Signs `login` in through the page form on `client`'s workstation and gives the staff
    /// consent: the session cookie and the session's CSRF token.
    static func signIn(_ run: ServeRun, port: Int, client: String, _ login: String) throws -> (cookie: String, csrf: String) {
        let form = try Page.page(run, port: port, client: client, "/app/sign-in")
        let pre = try #require(form.headers["set-cookie"]?.firstMatch(of: #/__Host-bilet-pre=([A-Za-z0-9_-]{43})/#)?.output.1)
        let signedIn = try Page.page(
            run, port: port, client: client, "/app/sign-in", method: "POST", preSession: String(pre),
            form: [("_csrf", try #require(form.csrf)), ("login", login), ("password", ServeRun.password)])
        try #require(signedIn.http == "303", "\(signedIn)")
        let cookie = String(try #require(signedIn.headers["set-cookie"]?.firstMatch(of: #/__Host-bilet-session=([A-Za-z0-9_-]{43})/#)?.output.1))
        let consent = try Page.page(run, port: port, client: client, "/app/consent", cookie: cookie)
        if consent.http == "303" {
            // consented already (through the API): the home page's sign-out form carries the session's token
            return (cookie, try #require(try Page.page(run, port: port, client: client, "/app/home", cookie: cookie).csrf))
        }
        let csrf = try #require(consent.csrf)
        let consented = try Page.page(
            run, port: port, client: client, "/app/consent", method: "POST", cookie: cookie, form: [("_csrf", csrf), ("version", "staff-pd-2026-1")])
        try #require(consented.http == "303", "\(consented)")
        return (cookie, csrf)
    }

    /// `date` in Moscow time as the event form takes it: `ДД.ММ.ГГГГ` and `ЧЧ:ММ`.
    static func moscow(_ date: Date) -> (day: String, time: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 3 * 3600)!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return (
            String(format: "%02d.%02d.%04d", parts.day ?? 0, parts.month ?? 0, parts.year ?? 0),
            String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        )
    }

    static func json(_ body: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    @Test("a venue creates an event through its pages, the coordinator returns and approves, the mentor marks attendance on the event's list")
    func venueCoordinatorAndMentorWorkThroughThePages() async throws {
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        try run.addAccounts([
            ("operator.1", "operator", "bilet://operator/op-1", nil), ("coord.77", "regional_coordinator", "bilet://region/77", "77"),
            ("venue.1", "venue", "bilet://venue/77-0042", "77"), ("mentor.1", "mentor", "bilet://venue/77-0042", "77"),
            ("mentor.2", "mentor", "bilet://venue/77-0042", "77"), ("school.a", "school", "bilet://school/77-0001", "77"),
            ("nav.a", "navigator", "bilet://school/77-0001", "77"),
        ])
        try run.initialiseVault()
        func api(_ client: String, _ token: String, _ path: String, method: String = "GET", body: String? = nil) throws -> (http: String, body: String) {
            let answer = try run.call(port: port, client: client, token: token, path, method: method, type: body.map { _ in "application/json" }, body: body)
            return (answer.http, answer.body)
        }
        let operatorToken = try run.signIn(port: port, "operator.1", client: "operator")
        let coordinatorToken = try run.signIn(port: port, "coord.77", client: "region")
        let venueToken = try run.signIn(port: port, "venue.1", client: "venue")
        let mentorToken = try run.signIn(port: port, "mentor.1", client: "venue")
        func registration(_ kind: String, _ id: String) -> String {
            """
            {"kind":"\(kind)","id":"\(id)","region":"77","name":"Тестовая организация \(id)","address":"г. Тестов, ул. Примерная, 1",\
            "inn":"7700000016","ogrn":"1027700000008","agreement":{"number":"ДОП-\(id)","signed_on":"2026-09-01","signatory":"Тестова Анна"}}
            """
        }
        try #require(try api("operator", operatorToken, "/v1/organisations", method: "POST", body: registration("region", "77")).http == "201")
        for (kind, id) in [("school", "77-0001"), ("venue", "77-0042")] {
            let registered = try api("region", coordinatorToken, "/v1/organisations", method: "POST", body: registration(kind, id))
            try #require(registered.http == "201", "\(registered)")
        }

        // MARK: The venue
        let venue = try Self.signIn(run, port: port, client: "venue", "venue.1")
        func venuePage(_ path: String, method: String = "GET", form: [(String, String)]? = nil) throws -> SchoolPagesServeTests.Answer {
            try Page.page(run, port: port, client: "venue", path, method: method, cookie: venue.cookie, form: form)
        }
        let home = try venuePage("/app/home")
        #expect(home.http == "200", "\(home)")
        #expect(home.headers["content-security-policy"] == Page.pageCSP)
        #expect(home.body.contains("<p>Вы вошли как сотрудник площадки, организация <strong>bilet://venue/77-0042</strong>.</p>"))
        #expect(home.body.contains(#"<li><a href="/app/venue/events/new">Создать мероприятие</a></li>"#))
        #expect(!home.body.contains("/app/pupils/new"))

        // Places: without the token 403 and nothing stored; a bad capacity next to its field; then stored, as the API sees it.
        #expect(try venuePage("/app/venue/places").body.contains("Мест проведения пока нет"))
        let place: [(String, String)] = [("name", "Мастерская № 1"), ("address", "г. Тестов, ул. Примерная, 1"), ("capacity", "30")]
        #expect(try venuePage("/app/venue/places", method: "POST", form: place).http == "403")
        let badPlace = try venuePage("/app/venue/places", method: "POST", form: [("_csrf", venue.csrf), ("name", "Мастерская № 1"), ("address", "x"), ("capacity", "0")])
        #expect(badPlace.http == "422", "\(badPlace)")
        #expect(badPlace.body.contains(#"<p class="error" id="capacity-error">Введите целое число от 1 до 100000.</p>"#))
        #expect(try api("venue", venueToken, "/v1/trials/places").body == #"{"places":[]}"#)
        let placed = try venuePage("/app/venue/places", method: "POST", form: [("_csrf", venue.csrf)] + place)
        #expect(placed.http == "303", "\(placed)")
        #expect(placed.headers["location"] == "/app/venue/places?done=added")
        let places = try venuePage("/app/venue/places?done=added")
        #expect(places.body.contains("<th scope=\"row\">Мастерская № 1</th>"))
        let apiPlaces = try #require(Self.json(try api("venue", venueToken, "/v1/trials/places").body)["places"] as? [[String: Any]])
        #expect(apiPlaces.count == 1)
        let placeID = try #require(apiPlaces.first?["id"] as? Int)
        #expect(apiPlaces.first?["name"] as? String == "Мастерская № 1")

        // Mentors: the venue's mentor accounts offered; one registered, as the API sees it; another organisation's account refused.
        let navigatorToken = try run.signIn(port: port, "nav.a", client: "workstation")
        let mentorID = try #require(Self.json(try api("venue", mentorToken, "/v1/staff/me").body)["account"] as? String)
        let navigatorID = try #require(Self.json(try api("workstation", navigatorToken, "/v1/staff/me").body)["account"] as? String)
        let mentorsPage = try venuePage("/app/venue/mentors")
        #expect(mentorsPage.body.contains(#"<option value="\#(mentorID)">mentor.1</option>"#), "\(mentorsPage)")
        #expect(mentorsPage.body.contains("Наставников пока нет."))
        let notMentor = try venuePage("/app/venue/mentors", method: "POST", form: [("_csrf", venue.csrf), ("account", navigatorID)])
        #expect(notMentor.http == "422", "\(notMentor)")
        #expect(notMentor.body.contains("Эта учётная запись не наставник вашей площадки."))
        #expect(try venuePage("/app/venue/mentors", method: "POST", form: [("_csrf", venue.csrf), ("account", mentorID)]).http == "303")
        #expect(try venuePage("/app/venue/mentors").body.contains("<tr><th scope=\"row\">mentor.1</th><td>\(mentorID)</td></tr>"))
        #expect(try api("venue", venueToken, "/v1/trials/mentors").body == #"{"mentors":["\#(mentorID)"]}"#)

        // Events: the form's refusal next to its field; two drafts created (running now, Moscow time), both submitted.
        let newEvent = try venuePage("/app/venue/events/new")
        #expect(newEvent.body.contains(#"<option value="\#(placeID)">Мастерская № 1 (до 30 мест)</option>"#), "\(newEvent)")
        let (startDay, startTime) = Self.moscow(Date().addingTimeInterval(-3_600))
        let (endDay, endTime) = Self.moscow(Date().addingTimeInterval(3_600))
        func event(_ title: String) -> [(String, String)] {
            [
                ("_csrf", venue.csrf), ("title", title), ("kind", "trial"), ("format", "in_person"), ("place", String(placeID)), ("capacity", "10"),
                ("sphere", "engineering"), ("competencies", "robotics"), ("mentor", mentorID), ("starts_on", startDay), ("starts_at", startTime),
                ("ends_on", endDay), ("ends_at", endTime),
            ]
        }
        let backwards = try venuePage(
            "/app/venue/events", method: "POST",
            form: event("Назад").filter { $0.0 != "ends_on" && $0.0 != "ends_at" } + [("ends_on", startDay), ("ends_at", "00:00")])
        #expect(backwards.http == "422", "\(backwards)")
        #expect(backwards.body.contains(#"<p class="error" id="ends_at-error">Окончание должно быть позже начала.</p>"#))
        for title in ["Профпроба «Робототехника»", "Профпроба «Черчение»"] {
            let created = try venuePage("/app/venue/events", method: "POST", form: event(title))
            #expect(created.http == "303", "\(created)")
            #expect(created.headers["location"] == "/app/venue/events?done=created")
        }
        let apiEvents = try #require(Self.json(try api("venue", venueToken, "/v1/trials/events").body)["events"] as? [[String: Any]])
        #expect(apiEvents.count == 2)
        let ids = Dictionary(uniqueKeysWithValues: apiEvents.compactMap { event in (event["title"] as? String).map { ($0, event["id"] as? Int ?? 0) } })
        let robotics = try #require(ids["Профпроба «Робототехника»"])
        let drawing = try #require(ids["Профпроба «Черчение»"])
        #expect(apiEvents.allSatisfy { $0["status"] as? String == "draft" && $0["mentor"] as? String == mentorID })
        #expect(try venuePage("/app/venue/events").body.contains("<td>черновик</td>"))
        for id in [robotics, drawing] {
            let submitted = try venuePage("/app/venue/events/\(id)/submit", method: "POST", form: [("_csrf", venue.csrf)])
            #expect(submitted.http == "303", "\(submitted)")
        }
        #expect(try venuePage("/app/venue/events").body.contains("<td>на согласовании</td>"))
        // A venue never approves: its session is refused the coordinator's page and action.
        #expect(try venuePage("/app/region/events").http == "403")
        let selfApproval = try venuePage("/app/region/events/\(robotics)/approve", method: "POST", form: [("_csrf", venue.csrf)])
        #expect(selfApproval.http == "403")
        #expect(selfApproval.body.contains("Эта страница для регионального координатора."))

        // MARK: The coordinator
        let coordinator = try Self.signIn(run, port: port, client: "region", "coord.77")
        func coordinatorPage(_ path: String, method: String = "GET", form: [(String, String)]? = nil) throws -> SchoolPagesServeTests.Answer {
            try Page.page(run, port: port, client: "region", path, method: method, cookie: coordinator.cookie, form: form)
        }
        let organisations = try coordinatorPage("/app/region/organisations")
        #expect(organisations.http == "200", "\(organisations)")
        #expect(organisations.body.contains("<caption>Организации региона: 2</caption>"))
        #expect(organisations.body.contains("<tr><td>площадка</td><td>77-0042</td><th scope=\"row\">Тестовая организация 77-0042</th>"))
        #expect(organisations.body.contains("<td>№ ДОП-77-0001 от 01.09.2026</td>"))
        #expect(!organisations.body.contains("Тестова Анна"), "the agreement's signatory is never shown")
        let apiOrganisations = try #require(Self.json(try api("region", coordinatorToken, "/v1/organisations").body)["organisations"] as? [[String: Any]])
        #expect(apiOrganisations.filter { ["school", "venue"].contains($0["kind"] as? String ?? "") }.count == 2, "the region itself is listed too")

        let pending = try coordinatorPage("/app/region/events")
        #expect(pending.http == "200", "\(pending)")
        #expect(pending.body.contains(#"<h2 id="event-\#(robotics)">Профпроба «Робототехника»</h2>"#))
        #expect(pending.body.contains(#"<h2 id="event-\#(drawing)">Профпроба «Черчение»</h2>"#))
        // Returning needs a reason: without one 422 next to its field, nothing changed.
        let noReason = try coordinatorPage("/app/region/events/\(drawing)/return", method: "POST", form: [("_csrf", coordinator.csrf), ("reason", "  ")])
        #expect(noReason.http == "422", "\(noReason)")
        #expect(noReason.body.contains(#"<p class="error" id="reason-\#(drawing)-error">Напишите, что площадке исправить.</p>"#))
        #expect(try coordinatorPage("/app/region/events/\(drawing)/return", method: "POST", form: [("reason", "Уточните время.")]).http == "403")
        let stillSubmitted = try #require(Self.json(try api("region", coordinatorToken, "/v1/trials/events?status=submitted").body)["events"] as? [[String: Any]])
        #expect(stillSubmitted.count == 2)
        let returned = try coordinatorPage(
            "/app/region/events/\(drawing)/return", method: "POST", form: [("_csrf", coordinator.csrf), ("reason", "Уточните время начала.")])
        #expect(returned.http == "303", "\(returned)")
        #expect(returned.headers["location"] == "/app/region/events?done=returned")
        let approved = try coordinatorPage("/app/region/events/\(robotics)/approve", method: "POST", form: [("_csrf", coordinator.csrf)])
        #expect(approved.http == "303", "\(approved)")
        let after = try coordinatorPage("/app/region/events?done=approved")
        #expect(after.body.contains("Мероприятие согласовано: ученики могут на него записываться."))
        #expect(after.body.contains("Нет мероприятий на согласовании."))
        // Deciding again: the status no longer allows it (the API's 409).
        let again = try coordinatorPage("/app/region/events/\(robotics)/approve", method: "POST", form: [("_csrf", coordinator.csrf)])
        #expect(again.http == "409", "\(again)")
        let statuses = try #require(Self.json(try api("venue", venueToken, "/v1/trials/events").body)["events"] as? [[String: Any]])
        #expect(statuses.first { $0["id"] as? Int == robotics }?["status"] as? String == "approved")
        #expect(statuses.first { $0["id"] as? Int == drawing }?["returnReason"] as? String == "Уточните время начала.")
        let venueEvents = try venuePage("/app/venue/events")
        #expect(venueEvents.body.contains("<td>возвращено на доработку<br><span class=\"hint\">Причина: Уточните время начала.</span></td>"))
        #expect(venueEvents.body.contains("<td>согласовано</td>"))

        // The region's KPI: the API's twelve months as charts and a table.
        let kpi = try coordinatorPage("/app/region/kpi")
        #expect(kpi.http == "200", "\(kpi)")
        let apiKPI = Self.json(try api("region", coordinatorToken, "/v1/kpi?scope=region&id=77").body)
        let apiMonths = try #require(apiKPI["months"] as? [[String: Any]])
        #expect(apiMonths.count == 12)
        for month in apiMonths {
            let parts = (month["month"] as? String ?? "").split(separator: "-")
            #expect(kpi.body.contains("<tr><th scope=\"row\">\(parts[1]).\(parts[0])</th>"))
        }
        #expect(kpi.body.components(separatedBy: #"role="img""#).count == 6, "a chart per figure")
        #expect(kpi.body.contains(#"<title id="chart-1-title">Зарегистрировано учеников</title>"#))
        // The coordinator's pages are the coordinator's: the venue's refused.
        #expect(try coordinatorPage("/app/venue/places").http == "403")

        // MARK: The mentor
        // A pupil of school 77-0001 enrolled through the API by her navigator.
        let schoolToken = try run.signIn(port: port, "school.a", client: "workstation")
        let pupilForm = """
            {"pupil":{"surname":"Тестова","first_name":"Анна","birth_date":"2011-04-02","grade":"9","class":"Б"},
             "guardian":{"surname":"Тестова","first_name":"Мария","relation":"mother","phone":"+7 900 000-00-01"},
             "consent":{"number":"1/2025","signed_on":"2025-09-01","pupil_signed":true,"purposes":["event_attendance"]}}
            """
        let registered = try api("workstation", schoolToken, "/v1/pupils", method: "POST", body: pupilForm)
        try #require(registered.http == "201", "\(registered)")
        let pupil = try #require(Self.json(registered.body)["token"] as? String)
        #expect(try api("workstation", schoolToken, "/v1/pupils/\(pupil)/navigators", method: "POST", body: #"{"navigator":"\#(navigatorID)"}"#).http == "201")
        let enrolled = try api("workstation", navigatorToken, "/v1/trials/events/\(robotics)/enrolments", method: "POST", body: #"{"pupil":"\#(pupil)"}"#)
        #expect(enrolled.http == "201", "\(enrolled)")

        let mentor = try Self.signIn(run, port: port, client: "venue", "mentor.1")
        func mentorPage(_ path: String, method: String = "GET", form: [(String, String)]? = nil) throws -> SchoolPagesServeTests.Answer {
            try Page.page(run, port: port, client: "venue", path, method: method, cookie: mentor.cookie, form: form)
        }
        let mentorEvents = try mentorPage("/app/mentor/events")
        #expect(mentorEvents.http == "200", "\(mentorEvents)")
        #expect(mentorEvents.body.contains(#"<h2><a href="/app/mentor/events/\#(robotics)">Профпроба «Робототехника»</a></h2>"#))
        let sheet = try mentorPage("/app/mentor/events/\(robotics)")
        #expect(sheet.http == "200", "\(sheet)")
        #expect(sheet.body.contains(#"<h2 class="name">Анна Т.</h2>"#), "\(sheet)")
        #expect(!sheet.body.contains("Тестова"), "the surname only as its initial")
        let apiSheet = try #require(Self.json(try api("venue", mentorToken, "/v1/trials/events/\(robotics)/attendance").body)["pupils"] as? [[String: Any]])
        let trialsToken = try #require(apiSheet.first?["pupil"] as? String)
        #expect(sheet.body.contains(#"action="/app/mentor/events/\#(robotics)/attendance/\#(trialsToken)""#))
        // A grade for an absent pupil is refused next to the grade; then the mark saved, as the API reads it.
        let markPath = "/app/mentor/events/\(robotics)/attendance/\(trialsToken)"
        let absentGraded = try mentorPage(markPath, method: "POST", form: [("_csrf", mentor.csrf), ("grade", "5")])
        #expect(absentGraded.http == "422", "\(absentGraded)")
        #expect(absentGraded.body.contains(#"<p class="error" role="alert" id="grade-1-error">Оценку ставят только присутствовавшему.</p>"#))
        #expect(try mentorPage(markPath, method: "POST", form: [("attended", "on"), ("grade", "5")]).http == "403")
        let marked = try mentorPage(markPath, method: "POST", form: [("_csrf", mentor.csrf), ("attended", "on"), ("grade", "5"), ("feedback", "Собрала манипулятор.")])
        #expect(marked.http == "303", "\(marked)")
        #expect(marked.headers["location"] == "/app/mentor/events/\(robotics)?done=saved")
        let row = try #require((Self.json(try api("venue", mentorToken, "/v1/trials/events/\(robotics)/attendance").body)["pupils"] as? [[String: Any]])?.first)
        #expect(row["attended"] as? Bool == true)
        #expect(row["grade"] as? Int == 5)
        #expect(row["feedback"] as? String == "Собрала манипулятор.")
        let saved = try mentorPage("/app/mentor/events/\(robotics)?done=saved")
        #expect(saved.body.contains(#"<option value="5" selected>5</option>"#))
        #expect(saved.body.contains("Отметка сохранена."))
        // Another mentor does not run it (the API's 404); the venue is no mentor; a returned event is no mentor's either.
        let other = try Self.signIn(run, port: port, client: "venue", "mentor.2")
        #expect(try Page.page(run, port: port, client: "venue", "/app/mentor/events/\(robotics)", cookie: other.cookie).http == "404")
        #expect(try mentorPage("/app/mentor/events/\(drawing)").http == "404")
        #expect(try venuePage("/app/mentor/events").http == "403")
    }
}
