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

        // Registering a school through the page: without the token 403, a refused value next to its field (422), nothing stored;
        // then registered (the API reads it, no signatory), again 409 next to the code.
        #expect(try coordinatorPage("/app/home").body.contains(#"<li><a href="/app/region/organisations/new">Зарегистрировать школу или площадку</a></li>"#))
        let newOrganisation = try coordinatorPage("/app/region/organisations/new")
        #expect(newOrganisation.http == "200", "\(newOrganisation)")
        #expect(newOrganisation.body.contains(#"<form method="post" action="/app/region/organisations" novalidate>"#))
        let school: [(String, String)] = [
            ("kind", "school"), ("id", "77-0002"), ("name", "Школа № 2 (синтетическая)"), ("address", "г. Тестов, ул. Примерная, 2"),
            ("inn", "7700000016"), ("ogrn", "1027700000008"), ("agreement_number", "ДОП-77-0002"), ("agreement_signed_on", "02.09.2026"),
            ("agreement_signatory", "Примеров П."),
        ]
        func changed(_ form: [(String, String)], _ name: String, _ value: String) -> [(String, String)] {
            form.map { $0.0 == name ? ($0.0, value) : $0 }
        }
        #expect(try coordinatorPage("/app/region/organisations", method: "POST", form: school).http == "403")
        let badINN = try coordinatorPage("/app/region/organisations", method: "POST", form: [("_csrf", coordinator.csrf)] + changed(school, "inn", "7700000017"))
        #expect(badINN.http == "422", "\(badINN)")
        #expect(badINN.body.contains(#"<p class="error" id="inn-error">Контрольные цифры ИНН не сходятся: проверьте номер.</p>"#))
        #expect(badINN.body.contains(#"<input id="name" name="name" type="text" value="Школа № 2 (синтетическая)""#), "the typed values stay")
        let badDay = try coordinatorPage(
            "/app/region/organisations", method: "POST", form: [("_csrf", coordinator.csrf)] + changed(school, "agreement_signed_on", "31.02.2026"))
        #expect(badDay.http == "422", "\(badDay)")
        #expect(badDay.body.contains(#"<p class="error" id="agreement_signed_on-error">Введите дату в виде ДД.ММ.ГГГГ.</p>"#))
        #expect(try api("region", coordinatorToken, "/v1/organisations/school/77-0002").http == "404", "nothing stored")
        let registeredSchool = try coordinatorPage("/app/region/organisations", method: "POST", form: [("_csrf", coordinator.csrf)] + school)
        #expect(registeredSchool.http == "303", "\(registeredSchool)")
        #expect(registeredSchool.headers["location"] == "/app/region/staff/new?organisation=school/77-0002&done=registered")
        let apiSchool = try api("region", coordinatorToken, "/v1/organisations/school/77-0002")
        #expect(apiSchool.http == "200", "\(apiSchool)")
        let schoolBody = Self.json(apiSchool.body)
        #expect(schoolBody["name"] as? String == "Школа № 2 (синтетическая)")
        #expect(schoolBody["region"] as? String == "77")
        #expect((schoolBody["agreement"] as? [String: Any])?["signed_on"] as? String == "2026-09-02")
        #expect(!apiSchool.body.contains("Примеров"), "the signatory is write-only")
        let registeredAgain = try coordinatorPage("/app/region/organisations", method: "POST", form: [("_csrf", coordinator.csrf)] + school)
        #expect(registeredAgain.http == "409", "\(registeredAgain)")
        #expect(registeredAgain.body.contains(#"<p class="error" id="id-error">Организация этого вида с таким кодом уже зарегистрирована.</p>"#))
        #expect(try coordinatorPage("/app/region/organisations").body.contains("<caption>Организации региона: 3</caption>"))

        // Its first account: the new school chosen, a refused login next to its field, then created with the activation code
        // shown once; the code activates the account at the school's workstation and the API shows it as the school's.
        let accountForm = try coordinatorPage("/app/region/staff/new?organisation=school/77-0002&done=registered")
        #expect(accountForm.http == "200", "\(accountForm)")
        #expect(accountForm.body.contains("Организация зарегистрирована. Создайте её первую учётную запись."))
        #expect(accountForm.body.contains(#"<option value="school/77-0002" selected>школа 77-0002 — Школа № 2 (синтетическая)</option>"#))
        #expect(accountForm.body.contains(#"<option value="venue/77-0042">площадка 77-0042 — Тестовая организация 77-0042</option>"#))
        #expect(try coordinatorPage("/app/region/staff", method: "POST", form: [("organisation", "school/77-0002"), ("login", "school.two")]).http == "403")
        let badLogin = try coordinatorPage(
            "/app/region/staff", method: "POST", form: [("_csrf", coordinator.csrf), ("organisation", "school/77-0002"), ("login", "школа два")])
        #expect(badLogin.http == "422", "\(badLogin)")
        #expect(badLogin.body.contains(#"<p class="error" id="login-error">Только латинские буквы, цифры и . _ @ -, первой — буква или цифра, до 128 знаков.</p>"#))
        let created = try coordinatorPage(
            "/app/region/staff", method: "POST", form: [("_csrf", coordinator.csrf), ("organisation", "school/77-0002"), ("login", "School.Two")])
        #expect(created.http == "201", "\(created)")
        #expect(created.headers["cache-control"] == "no-store")
        #expect(created.body.contains("Учётная запись <strong>school.two</strong> создана для организации bilet://school/77-0002."))
        let code = String(try #require(created.body.firstMatch(of: #/<code id="activation-code">([A-Z0-9-]+)</code>/#)?.output.1))
        let loginAgain = try coordinatorPage(
            "/app/region/staff", method: "POST", form: [("_csrf", coordinator.csrf), ("organisation", "school/77-0002"), ("login", "school.two")])
        #expect(loginAgain.http == "409", "\(loginAgain)")
        #expect(loginAgain.body.contains(#"<p class="error" id="login-error">Этот логин уже занят: выберите другой.</p>"#))
        let activated = try run.call(
            port: port, client: "school-b", token: nil, "/v1/staff/activate", method: "POST", type: "application/json",
            body: #"{"login":"school.two","activation_code":"\#(code)","password":"\#(ServeRun.password)"}"#)
        #expect(activated.http == "204", "\(activated)")
        let schoolTwoToken = try run.signIn(port: port, "school.two", client: "school-b")
        let schoolTwo = Self.json(try api("school-b", schoolTwoToken, "/v1/staff/me").body)
        #expect(schoolTwo["role"] as? String == "school")
        #expect(schoolTwo["organisation"] as? String == "bilet://school/77-0002")
        #expect(schoolTwo["region"] as? String == "77")
        // The venue is refused the coordinator's registration pages, before anything is read or written.
        #expect(try venuePage("/app/region/organisations/new").http == "403")
        let venueRegisters = try venuePage("/app/region/organisations", method: "POST", form: [("_csrf", venue.csrf)] + changed(school, "id", "77-0005"))
        #expect(venueRegisters.http == "403")
        #expect(venueRegisters.body.contains("Эта страница для регионального координатора."))
        #expect(try api("region", coordinatorToken, "/v1/organisations/school/77-0005").http == "404")
        #expect(try venuePage("/app/region/staff", method: "POST", form: [("_csrf", venue.csrf), ("organisation", "venue/77-0042"), ("login", "venue.two")]).http == "403")

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

        // The venue edits the returned event: an approved one is no longer edited (409); the form filled in with the stored
        // details and the coordinator's reason; without the token 403 and a refused value 422 next to its field, nothing changed;
        // then saved: the API shows the new details and a draft again.
        #expect(venueEvents.body.contains(#"<a href="/app/venue/events/\#(drawing)/edit">Изменить</a>"#))
        #expect(!venueEvents.body.contains(#"<a href="/app/venue/events/\#(robotics)/edit">"#))
        #expect(try venuePage("/app/venue/events/\(robotics)/edit").http == "409")
        #expect(try venuePage("/app/venue/events/999999/edit").http == "404")
        let edit = try venuePage("/app/venue/events/\(drawing)/edit")
        #expect(edit.http == "200", "\(edit)")
        #expect(edit.body.contains(#"<input id="title" name="title" type="text" value="Профпроба «Черчение»" required"#))
        #expect(edit.body.contains(#"<option value="\#(placeID)" selected>Мастерская № 1 (до 30 мест)</option>"#))
        #expect(edit.body.contains(#"<input id="capacity" name="capacity" type="text" value="10" required"#))
        #expect(edit.body.contains("Причина: Уточните время начала."))
        let (laterDay, laterTime) = Self.moscow(Date().addingTimeInterval(7_200))
        let edited = event("Профпроба «Черчение и 3D»").map { $0.0 == "capacity" ? ("capacity", "12") : $0.0 == "ends_on" ? ("ends_on", laterDay) : $0.0 == "ends_at" ? ("ends_at", laterTime) : $0 }
        #expect(try venuePage("/app/venue/events/\(drawing)", method: "POST", form: edited.filter { $0.0 != "_csrf" }).http == "403")
        let tooMany = try venuePage("/app/venue/events/\(drawing)", method: "POST", form: edited.map { $0.0 == "capacity" ? ("capacity", "0") : $0 })
        #expect(tooMany.http == "422", "\(tooMany)")
        #expect(tooMany.body.contains(#"<p class="error" id="capacity-error">Введите целое число от 1 до 100000.</p>"#))
        let beforeEdit = try #require((Self.json(try api("venue", venueToken, "/v1/trials/events").body)["events"] as? [[String: Any]])?.first { $0["id"] as? Int == drawing })
        #expect(beforeEdit["title"] as? String == "Профпроба «Черчение»")
        #expect(beforeEdit["status"] as? String == "returned")
        let editSaved = try venuePage("/app/venue/events/\(drawing)", method: "POST", form: edited)
        #expect(editSaved.http == "303", "\(editSaved)")
        #expect(editSaved.headers["location"] == "/app/venue/events?done=updated")
        let afterEdit = try #require((Self.json(try api("venue", venueToken, "/v1/trials/events").body)["events"] as? [[String: Any]])?.first { $0["id"] as? Int == drawing })
        #expect(afterEdit["title"] as? String == "Профпроба «Черчение и 3D»")
        #expect(afterEdit["capacity"] as? Int == 12)
        #expect(afterEdit["status"] as? String == "draft")
        #expect(afterEdit["returnReason"] == nil)
        #expect(try venuePage("/app/venue/events?done=updated").body.contains("Изменения сохранены: мероприятие снова черновик."))
        // The approved one: the module refuses the change, above the form with the API's 409.
        let approvedEdit = try venuePage("/app/venue/events/\(robotics)", method: "POST", form: event("Другое название"))
        #expect(approvedEdit.http == "409", "\(approvedEdit)")
        #expect(approvedEdit.body.contains(#"<p class="alert" role="alert">Статус мероприятия не допускает это действие: возможно, его уже согласовали или вернули.</p>"#))

        // Its mentor named later: mentor.2 registered and chosen (the API shows it); none chosen 422, another organisation's
        // account 422 next to the field, without the token 403; the approved event's mentor set again (any status).
        let mentor2ID = try #require(Self.json(try api("venue", try run.signIn(port: port, "mentor.2", client: "venue"), "/v1/staff/me").body)["account"] as? String)
        #expect(try venuePage("/app/venue/mentors", method: "POST", form: [("_csrf", venue.csrf), ("account", mentor2ID)]).http == "303")
        let mentorForm = try venuePage("/app/venue/events/\(drawing)/mentor")
        #expect(mentorForm.http == "200", "\(mentorForm)")
        #expect(mentorForm.body.contains("<dt>Наставник сейчас</dt><dd>mentor.1</dd>"))
        #expect(mentorForm.body.contains(#"<option value="\#(mentorID)" selected>mentor.1</option>"#))
        let mentorPath = "/app/venue/events/\(drawing)/mentor"
        #expect(try venuePage(mentorPath, method: "POST", form: [("mentor", mentor2ID)]).http == "403")
        let noMentor = try venuePage(mentorPath, method: "POST", form: [("_csrf", venue.csrf), ("mentor", "")])
        #expect(noMentor.http == "422", "\(noMentor)")
        #expect(noMentor.body.contains(#"<p class="error" id="mentor-error">Выберите наставника.</p>"#))
        let strangerMentor = try venuePage(mentorPath, method: "POST", form: [("_csrf", venue.csrf), ("mentor", navigatorID)])
        #expect(strangerMentor.http == "422", "\(strangerMentor)")
        #expect(strangerMentor.body.contains(#"<p class="error" id="mentor-error">Эта учётная запись не наставник вашей площадки.</p>"#))
        let named = try venuePage(mentorPath, method: "POST", form: [("_csrf", venue.csrf), ("mentor", mentor2ID)])
        #expect(named.http == "303", "\(named)")
        #expect(named.headers["location"] == "/app/venue/events?done=mentor")
        let renamed = try #require((Self.json(try api("venue", venueToken, "/v1/trials/events").body)["events"] as? [[String: Any]])?.first { $0["id"] as? Int == drawing })
        #expect(renamed["mentor"] as? String == mentor2ID)
        #expect(try venuePage("/app/venue/events/\(robotics)/mentor", method: "POST", form: [("_csrf", venue.csrf), ("mentor", mentorID)]).http == "303")
        // The coordinator is refused the venue's edit and mentor pages.
        #expect(try coordinatorPage("/app/venue/events/\(drawing)/edit").http == "403")
        #expect(try coordinatorPage(mentorPath, method: "POST", form: [("_csrf", coordinator.csrf), ("mentor", mentorID)]).http == "403")
        // An older event stays editable however many newer ones the venue has: 1001 later drafts stored directly
        // (synthetic) push it out of the venue's list (its newest 1000), not out of its edit page.
        _ = try run.sql(
            """
            INSERT INTO trials.events (venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, format, status, created_by)
            SELECT '77-0042', '77', 'trial', 'Позже ' || g, now() + interval '400 days' + g * interval '1 hour',
                   now() + interval '400 days' + g * interval '1 hour' + interval '2 hours', \(placeID), 30, 'engineering', 'in_person', 'draft',
                   'user:usr_seed'
            FROM generate_series(1, 1001) g
            """)
        #expect(!(try venuePage("/app/venue/events").body.contains(#"<a href="/app/venue/events/\#(drawing)/edit">"#)), "beyond the list")
        let oldEdit = try venuePage("/app/venue/events/\(drawing)/edit")
        #expect(oldEdit.http == "200", "\(oldEdit)")
        #expect(oldEdit.body.contains(#"<input id="title" name="title" type="text" value="Профпроба «Черчение и 3D»" required"#))
        #expect(try venuePage("/app/venue/events/\(drawing)/mentor").http == "200")

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
