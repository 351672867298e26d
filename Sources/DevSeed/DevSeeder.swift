import Foundation

/// What the seed cannot do over HTTP because nobody can: the steps a real operator does on the
/// server with the `bilet` command line (the first accounts, `bilet accounts add`; a workstation
/// certificate for a new school or venue, `bilet certs request` + `bilet certs sign`).
public protocol SeedOperatorSteps: Sendable {
    /// Creates a staff account with `password`; false when the login exists already.
    func addAccount(login: String, role: String, organisation: String, region: String?, password: String) async throws -> Bool
    /// A workstation certificate (chain file and key file) of `organisation` (`school/99-0001`),
    /// issued by the platform's CA for `bilet://<organisation>/ws/1`.
    func workstation(organisation: String) async throws -> (certificate: String, key: String)
}

/// Where the running platform is.
public struct SeedTarget: Sendable {
    /// The gateway's host (127.0.0.1 in development).
    public var host: String
    /// The workstations' listener (client certificate required).
    public var workstationsPort: Int
    /// The pupils' listener (no client certificate).
    public var pupilsPort: Int
    /// The CA bundle that verifies the gateway.
    public var trustBundle: String
    /// The operator's workstation certificate and key (`certs/dev/clients/operator`).
    public var operatorCertificate: String
    public var operatorKey: String

    /// Names everything.
    public init(host: String, workstationsPort: Int, pupilsPort: Int, trustBundle: String, operatorCertificate: String, operatorKey: String) {
        self.host = host
        self.workstationsPort = workstationsPort
        self.pupilsPort = pupilsPort
        self.trustBundle = trustBundle
        self.operatorCertificate = operatorCertificate
        self.operatorKey = operatorKey
    }
}

/// The test the seed's methodologist publishes: its code, version and definition (JSON, the
/// documented format of docs/ASSESSMENT.md), and the answers its pupils may give per question.
public struct SeedTest: Sendable {
    public var code: String
    public var version: Int
    public var definitionJSON: String
    /// Per question id, the answer bodies a pupil picks from (`{"choice":"a"}`).
    public var answers: [(question: String, bodies: [String])]

    /// Names everything.
    public init(code: String, version: Int, definitionJSON: String, answers: [(question: String, bodies: [String])]) {
        self.code = code
        self.version = version
        self.definitionJSON = definitionJSON
        self.answers = answers
    }
}

/// `bilet dev seed`: a synthetic region written through the platform's own doors, as its people
/// would write it: the operator registers the region and its coordinator; the coordinator its
/// schools and venues and their first accounts; schools their navigators and pupils (one CSV
/// import per school, paper consents included, some covering enrolment only) and assign pupils to
/// navigators; venues their places, mentors and events, which the coordinator approves; a
/// methodologist publishes a test, navigators assign it, some pupils activate their accounts and
/// take it on the pupils' listener; navigators enrol pupils, mentors mark attendance and grade;
/// the coordinator uploads an opportunity; navigators generate and publish recommendations.
/// Nothing is written into a table directly.
public final class DevSeeder {
    let target: SeedTarget
    let steps: any SeedOperatorSteps
    let test: SeedTest
    let log: (String) -> Void
    var random: SeedRandom
    public private(set) var manifest: SeedManifest

    /// The operator's organisation in the development PKI.
    static let operatorOrganisation = "bilet://operator/op-1"
    static let staffConsent = #"{"version":"staff-pd-2026-1"}"#

    /// A seeder of region `region`, made from `seedValue`.
    public init(
        target: SeedTarget, steps: any SeedOperatorSteps, test: SeedTest, region: String, scale: SeedScale, seedValue: UInt64,
        log: @escaping (String) -> Void
    ) {
        self.target = target
        self.steps = steps
        self.test = test
        self.log = log
        self.random = SeedRandom(seed: seedValue)
        self.manifest = SeedManifest(
            region: region, seedValue: seedValue, scale: scale, staffPassword: "seed pass phrase 1", pupilPassword: "seed pupil pass 1")
    }

    // MARK: - people at workstations

    /// A signed-in staff member at their organisation's workstation.
    final class Desk {
        let connection: SeedConnection
        let token: String
        let account: String
        init(connection: SeedConnection, token: String, account: String) {
            self.connection = connection
            self.token = token
            self.account = account
        }

        func call(_ method: String, _ path: String, _ body: String? = nil) throws(DevSeedError) -> SeedResponse {
            try connection.json(method, path, bearer: token, body)
        }
    }

    var connections: [String: SeedConnection] = [:]

    /// The (kept-alive) connection of a workstation certificate.
    func connection(certificate: String, key: String) throws(DevSeedError) -> SeedConnection {
        if let existing = connections[certificate] { return existing }
        let made = try SeedConnection(
            SeedEndpoint(host: target.host, port: target.workstationsPort, trustBundle: target.trustBundle, certificate: certificate, key: key))
        connections[certificate] = made
        return made
    }

    static func expect(_ response: SeedResponse, _ statuses: Set<Int>, _ step: String) throws(DevSeedError) {
        guard statuses.contains(response.status) else {
            throw DevSeedError(.refused, "\(step): HTTP \(response.status) \(response.code ?? String(response.text.prefix(200)))")
        }
    }

    /// Signs `login` in on `connection` and records the staff consent.
    func signIn(_ login: String, on connection: SeedConnection) throws(DevSeedError) -> Desk {
        let password = manifest.staffPassword
        let opened = try connection.json("POST", "/v1/sessions", #"{"login":"\#(login)","password":"\#(password)"}"#)
        try Self.expect(opened, [201], "signing \(login) in")
        guard let token = opened.object["token"] as? String else { throw DevSeedError(.refused, "signing \(login) in: no token") }
        let consent = try connection.json("POST", "/v1/staff/me/consent", bearer: token, Self.staffConsent)
        try Self.expect(consent, [204], "\(login)'s staff consent")
        let me = try connection.json("GET", "/v1/staff/me", bearer: token)
        try Self.expect(me, [200], "\(login)'s account")
        return Desk(connection: connection, token: token, account: me.object["account"] as? String ?? "")
    }

    /// `creator` creates an account of `organisation`; its holder activates it at the
    /// organisation's workstation and signs in.
    func newStaff(
        _ login: String, role: String, organisation: String, by creator: Desk, at workstation: (certificate: String, key: String)
    ) throws(DevSeedError) -> Desk {
        let created = try creator.call("POST", "/v1/staff", #"{"login":"\#(login)","role":"\#(role)","organisation":"\#(organisation)"}"#)
        try Self.expect(created, [201], "creating \(login)")
        guard let code = created.object["activation_code"] as? String else { throw DevSeedError(.refused, "creating \(login): no code") }
        let connection = try self.connection(certificate: workstation.certificate, key: workstation.key)
        let activated = try connection.json(
            "POST", "/v1/staff/activate", #"{"login":"\#(login)","activation_code":"\#(code)","password":"\#(manifest.staffPassword)"}"#)
        try Self.expect(activated, [204], "activating \(login)")
        manifest.staff.append(.init(login: login, role: role, organisation: organisation, certificate: workstation.certificate))
        manifest.counts.staff += 1
        return try signIn(login, on: connection)
    }

    // MARK: - the region

    /// Writes the region; returns the manifest. Throws ``DevSeedError/Code/alreadySeeded`` when
    /// the seed's operator account exists already (nothing is written then).
    public func run() async throws -> SeedManifest {
        let scale = manifest.scale
        let region = manifest.region
        let password = manifest.staffPassword
        let operatorLogin = "seed.operator.\(region)"
        guard try await steps.addAccount(
            login: operatorLogin, role: "operator", organisation: Self.operatorOrganisation, region: nil, password: password)
        else {
            throw DevSeedError(
                .alreadySeeded, "the platform holds the synthetic region \(region) already (account \(operatorLogin)); seed another with --region, or start from an empty database")
        }
        let methodologistLogin = "seed.methodologist.\(region)"
        _ = try await steps.addAccount(
            login: methodologistLogin, role: "methodologist", organisation: Self.operatorOrganisation, region: nil, password: password)
        let operatorConnection = try connection(certificate: target.operatorCertificate, key: target.operatorKey)
        manifest.staff.append(.init(login: operatorLogin, role: "operator", organisation: "operator/op-1", certificate: target.operatorCertificate))
        manifest.staff.append(.init(login: methodologistLogin, role: "methodologist", organisation: "operator/op-1", certificate: target.operatorCertificate))
        manifest.counts.staff += 2
        let operatorDesk = try signIn(operatorLogin, on: operatorConnection)
        let methodologist = try signIn(methodologistLogin, on: operatorConnection)

        log("registering region \(region), its coordinator, \(scale.schools) schools and \(scale.venues) venues")
        try register(kind: "region", id: region, by: operatorDesk)
        let regionWorkstation = try await steps.workstation(organisation: "region/\(region)")
        let coordinator = try newStaff(
            "seed.coordinator.\(region)", role: "regional_coordinator", organisation: "region/\(region)", by: operatorDesk, at: regionWorkstation)

        // Schools: registered by the coordinator, a school account, navigators.
        var schoolDesks: [(id: String, school: Desk, navigators: [Desk])] = []
        for index in 1...scale.schools {
            let id = "\(region)-\(String(format: "%04d", index))"
            try register(kind: "school", id: id, by: coordinator)
            let workstation = try await steps.workstation(organisation: "school/\(id)")
            let school = try newStaff("seed.school.\(id)", role: "school", organisation: "school/\(id)", by: coordinator, at: workstation)
            var navigators: [Desk] = []
            for number in 1...scale.navigatorsPerSchool {
                navigators.append(
                    try newStaff("seed.navigator.\(id).\(number)", role: "navigator", organisation: "school/\(id)", by: school, at: workstation))
            }
            schoolDesks.append((id, school, navigators))
            manifest.schools.append(id)
            manifest.counts.schools += 1
        }

        // Venues: places, mentors.
        var venueDesks: [(id: String, venue: Desk, places: [(id: Int, capacity: Int)], mentors: [Desk])] = []
        for index in 1...scale.venues {
            let id = "\(region)-\(String(format: "%04d", 900 + index))"
            try register(kind: "venue", id: id, by: coordinator)
            let workstation = try await steps.workstation(organisation: "venue/\(id)")
            let venue = try newStaff("seed.venue.\(id)", role: "venue", organisation: "venue/\(id)", by: coordinator, at: workstation)
            var places: [(id: Int, capacity: Int)] = []
            for (number, name) in ["Мастерская", "Лекторий"].enumerated() {
                let capacity = number == 0 ? 40 : 200
                let made = try venue.call(
                    "POST", "/v1/trials/places",
                    #"{"name":"\#(name) площадки \#(id)","address":"г. Синтетград, ул. Условная, \#(index)","capacity":\#(capacity)}"#)
                try Self.expect(made, [201], "place of venue \(id)")
                places.append((made.object["id"] as? Int ?? 0, capacity))
                manifest.counts.places += 1
            }
            var mentors: [Desk] = []
            for number in 1...scale.mentorsPerVenue {
                let mentor = try newStaff("seed.mentor.\(id).\(number)", role: "mentor", organisation: "venue/\(id)", by: venue, at: workstation)
                let registered = try venue.call("POST", "/v1/trials/mentors", #"{"account":"\#(mentor.account)"}"#)
                try Self.expect(registered, [201], "registering a mentor of venue \(id)")
                mentors.append(mentor)
            }
            venueDesks.append((id, venue, places, mentors))
            manifest.venues.append(id)
            manifest.counts.venues += 1
        }

        // Pupils: one import file per school, then assigned to the school's navigators.
        log("importing \(scale.schools * scale.pupilsPerSchool) synthetic pupils (one CSV file per school) and assigning navigators")
        var pupils: [(token: String, pupil: SyntheticPupil, school: Int, navigator: Int)] = []
        for (schoolIndex, desk) in schoolDesks.enumerated() {
            let base = 100_000_000 + ((Int(region) ?? 0) % 900) * 1_000_000 + schoolIndex * 10_000  // nine digits, a range per region
            let made = SyntheticPeople.make(
                count: scale.pupilsPerSchool, snilsBase: base, withoutConsent: scale.withoutConsentPercent, random: &random)
            let file = SyntheticPeople.importFile(made, consentPrefix: "СИД-\(desk.id)")
            let imported = try desk.school.connection.send("POST", "/v1/pupils/import", bearer: desk.school.token, body: file, contentType: "text/csv")
            try Self.expect(imported, [200], "importing school \(desk.id)'s pupils")
            let tokens = imported.object["tokens"] as? [String] ?? []
            guard tokens.count == made.count else { throw DevSeedError(.refused, "importing school \(desk.id)'s pupils: \(tokens.count) tokens") }
            for (offset, pupil) in made.enumerated() {
                let navigator = offset % desk.navigators.count
                let assigned = try desk.school.call(
                    "POST", "/v1/pupils/\(tokens[offset])/navigators", #"{"navigator":"\#(desk.navigators[navigator].account)"}"#)
                try Self.expect(assigned, [201], "assigning a pupil of school \(desk.id) to a navigator")
                manifest.counts.navigatorAssignments += 1
                pupils.append((tokens[offset], pupil, schoolIndex, navigator))
                if !pupil.fullyConsented { manifest.counts.pupilsWithoutFullConsent += 1 }
            }
            manifest.pupils += made
            manifest.counts.pupils += made.count
        }

        // Events: venues submit, the coordinator approves; the first third run today.
        log("creating \(scale.events) events, approving them, enrolling pupils")
        let spheres = [
            ("it", ["programming", "data_analysis"]), ("engineering", ["robotics", "mechanics"]), ("medicine", ["first_aid", "patient_care"]),
            ("construction", ["architecture_design", "surveying"]), ("media", ["journalism", "photo_video"]),
            ("agriculture", ["agronomy", "animal_care"]), ("finance", ["financial_literacy", "accounting"]), ("arts", ["graphic_design", "music"]),
        ]
        let topics = [
            "it": "Проба «Программист на один день»", "engineering": "Проба «Сборка робота»", "medicine": "Проба «Первая помощь»",
            "construction": "Проба «Архитектор»", "media": "Проба «Редакция»", "agriculture": "Проба «Агроном»",
            "finance": "Проба «Финансист»", "arts": "Проба «Дизайнер»",
        ]
        var events: [(id: Int, venue: Int, mentor: Int, today: Bool, capacity: Int)] = []
        let now = Date()
        for index in 0..<scale.events where !venueDesks.isEmpty {
            let venueIndex = index % venueDesks.count
            let venue = venueDesks[venueIndex]
            let (sphere, competencies) = spheres[index % spheres.count]
            let mass = index % 5 == 4
            let today = index % 3 == 0
            let place = mass ? venue.places[1] : venue.places[0]
            let capacity = mass ? min(place.capacity, 60) : (index % 4 == 1 ? max(scale.enrolmentsPerEvent / 2, 1) : min(place.capacity, 20))
            let start = today ? now.addingTimeInterval(-2 * 3_600) : now.addingTimeInterval(Double(7 + index) * 86_400)
            let end = start.addingTimeInterval(today ? 6 * 3_600 : 3 * 3_600)
            let mentorIndex = index % venue.mentors.count
            let title = mass ? "День открытых дверей: \(sphere)" : (topics[sphere] ?? "Проба")
            let body = """
                {"kind":"\(mass ? "mass_event" : "trial")","title":"\(title)","startsAt":"\(Self.time(start))","endsAt":"\(Self.time(end))",\
                "place":\(place.id),"capacity":\(capacity),"sphere":"\(sphere)","competencies":["\(competencies.joined(separator: "\",\""))"],\
                "format":"\(index % 7 == 6 ? "online" : "in_person")","mentor":"\(venue.mentors[mentorIndex].account)"}
                """
            let created = try venue.venue.call("POST", "/v1/trials/events", body)
            try Self.expect(created, [201], "an event of venue \(venue.id)")
            guard let event = created.object["id"] as? Int else { throw DevSeedError(.refused, "an event of venue \(venue.id): no id") }
            try Self.expect(try venue.venue.call("POST", "/v1/trials/events/\(event)/submit"), [200], "submitting event \(event)")
            try Self.expect(try coordinator.call("POST", "/v1/trials/events/\(event)/approve"), [200], "approving event \(event)")
            manifest.counts.events += 1
            manifest.counts.eventsApproved += 1
            events.append((event, venueIndex, mentorIndex, today, capacity))
        }

        // Enrolments by each pupil's navigator; a pupil is offered at most a few events.
        for event in events where !pupils.isEmpty {
            var chosen: Set<Int> = []
            let wanted = min(scale.enrolmentsPerEvent, pupils.count)
            while chosen.count < wanted { chosen.insert(random.int(0...(pupils.count - 1))) }
            for index in chosen.sorted() {
                let pupil = pupils[index]
                let navigator = schoolDesks[pupil.school].navigators[pupil.navigator]
                let enrolled = try navigator.call("POST", "/v1/trials/events/\(event.id)/enrolments", #"{"pupil":"\#(pupil.token)"}"#)
                try Self.expect(enrolled, [200, 201, 202], "enrolling a pupil into event \(event.id)")
                if enrolled.status == 201 { manifest.counts.enrolmentsSeated += 1 }
                if enrolled.status == 202 { manifest.counts.enrolmentsWaiting += 1 }
            }
        }

        // Today's events: the mentor marks attendance, grades and writes feedback (no names).
        let feedback = [
            "Внимательно выполнял(а) инструкцию, задание сдано вовремя.", "Задавал(а) хорошие вопросы, стоит попробовать углублённый курс.",
            "Уверенно работал(а) в команде, аккуратно оформил(а) результат.", "Справился(ась) с заданием, нужна практика в расчётах.",
            "Проявил(а) интерес к профессии, рекомендуем повторную пробу.",
        ]
        for event in events where event.today {
            let mentor = venueDesks[event.venue].mentors[event.mentor]
            let list = try mentor.call("GET", "/v1/trials/events/\(event.id)/attendance")
            try Self.expect(list, [200], "event \(event.id)'s attendance list")
            for row in list.object["pupils"] as? [[String: Any]] ?? [] {
                guard let pupil = row["pupil"] as? String, (row["state"] as? String ?? "seated") == "seated" else { continue }
                let attended = random.chance(88)
                let body = attended
                    ? #"{"attended":true,"grade":\#(random.int(3...5)),"feedback":"\#(random.pick(feedback))"}"#
                    : #"{"attended":false}"#
                try Self.expect(try mentor.call("PUT", "/v1/trials/events/\(event.id)/attendance/\(pupil)", body), [204], "marking attendance")
                manifest.counts.attendanceMarked += 1
            }
        }

        // The test: published by the methodologist, assigned, taken on the pupils' listener.
        log("publishing a test; \(scale.testTakersPerSchool) pupils per school activate their accounts and take it")
        // Another seeded region of the same platform may have published it already (409): it is used as it stands.
        let uploaded = try methodologist.call("POST", "/v1/assessment/tests", test.definitionJSON)
        try Self.expect(uploaded, [201, 409], "uploading the test")
        let published = try methodologist.call("POST", "/v1/assessment/tests/\(test.code)/versions/\(test.version)/publish")
        try Self.expect(published, [200, 409], "publishing the test")
        if published.status == 200 { manifest.counts.testsPublished += 1 }
        let pupilConnection = try SeedConnection(
            SeedEndpoint(
                host: target.host, port: target.pupilsPort, trustBundle: target.trustBundle, certificate: target.operatorCertificate,
                key: target.operatorKey))
        var takers: [(token: String, school: Int, navigator: Int)] = []
        for (schoolIndex, desk) in schoolDesks.enumerated() {
            let ofSchool = pupils.filter { $0.school == schoolIndex && $0.pupil.fullyConsented }.prefix(scale.testTakersPerSchool)
            for (number, pupil) in ofSchool.enumerated() {
                let navigator = desk.navigators[pupil.navigator]
                let assigned = try navigator.call(
                    "POST", "/v1/assessment/assignments", #"{"pupil":"\#(pupil.token)","test":"\#(test.code)","version":\#(test.version)}"#)
                try Self.expect(assigned, [200, 201], "assigning the test")
                manifest.counts.assignments += 1
                let issued = try desk.school.call("POST", "/v1/pupils/\(pupil.token)/activation-code")
                try Self.expect(issued, [201], "a pupil's activation code")
                let code = issued.object["activation_code"] as? String ?? ""
                let login = "seed.pupil.\(desk.id).\(number + 1)"
                let pupilPassword = manifest.pupilPassword
                let activated = try pupilConnection.json(
                    "POST", "/v1/pupil/activate", #"{"activation_code":"\#(code)","login":"\#(login)","password":"\#(pupilPassword)"}"#)
                try Self.expect(activated, [204], "a pupil's activation")
                let session = try pupilConnection.json("POST", "/v1/pupil/sessions", #"{"login":"\#(login)","password":"\#(pupilPassword)"}"#)
                try Self.expect(session, [200, 201], "a pupil's sign-in")
                let bearer = session.object["token"] as? String ?? ""
                manifest.counts.pupilsActivated += 1
                manifest.pupilLogins.append(.init(login: login, school: desk.id))
                let mine = try pupilConnection.json("GET", "/v1/pupil/assessment/assignments", bearer: bearer)
                try Self.expect(mine, [200], "a pupil's assignments")
                guard let assignment = (mine.object["assignments"] as? [[String: Any]])?.first?["id"] as? String else {
                    throw DevSeedError(.refused, "a pupil's assignments: none")
                }
                let started = try pupilConnection.json("POST", "/v1/pupil/assessment/assignments/\(assignment)/session", bearer: bearer)
                try Self.expect(started, [200, 201], "starting the test")
                let sessionID = started.object["id"] as? String ?? ""
                for (question, bodies) in test.answers {
                    let saved = try pupilConnection.json(
                        "PUT", "/v1/pupil/assessment/sessions/\(sessionID)/answers/\(question)", bearer: bearer, random.pick(bodies))
                    try Self.expect(saved, [204], "answering \(question)")
                }
                let submitted = try pupilConnection.json("POST", "/v1/pupil/assessment/sessions/\(sessionID)/submit", bearer: bearer)
                try Self.expect(submitted, [200], "submitting the test")
                manifest.counts.testsSubmitted += 1
                takers.append((pupil.token, schoolIndex, pupil.navigator))
            }
        }
        pupilConnection.close()

        // The region's opportunity, then recommendations for the pupils who took the test.
        log("uploading an opportunity; navigators generate and publish recommendations")
        let year = Calendar(identifier: .gregorian).component(.year, from: now) + 1
        let opportunity = try coordinator.call(
            "POST", "/v1/recommendations/opportunities",
            #"{"title":"Региональная олимпиада по программированию","sphere":"it","competencies":["programming"],"startsAt":"\#(year)-02-10T09:00:00Z","endsAt":"\#(year)-02-20T18:00:00Z","link":"https://example.org/olympiad"}"#)
        try Self.expect(opportunity, [201], "uploading an opportunity")
        manifest.counts.opportunities += 1
        for taker in takers {
            let navigator = schoolDesks[taker.school].navigators[taker.navigator]
            let generated = try navigator.call("POST", "/v1/recommendations/pupils/\(taker.token)/generate")
            try Self.expect(generated, [200, 201], "generating recommendations")
            let items = generated.object["recommendations"] as? [[String: Any]] ?? []
            manifest.counts.recommendationsGenerated += items.count
            for item in items.prefix(2) {
                guard let id = item["id"] as? Int else { continue }
                let published = try navigator.call("POST", "/v1/recommendations/pupils/\(taker.token)/items/\(id)/publish")
                try Self.expect(published, [200], "publishing a recommendation")
                manifest.counts.recommendationsPublished += 1
            }
        }
        for connection in connections.values { connection.close() }
        return manifest
    }

    /// Registers an organisation (synthetic ИНН/ОГРН with valid check digits, invented names that
    /// share no word with the pupils').
    func register(kind: String, id: String, by desk: Desk) throws(DevSeedError) {
        let names = ["region": "Синтетический регион", "school": "Синтетическая школа", "venue": "Синтетическая площадка"]
        let body = """
            {"kind":"\(kind)","id":"\(id)","region":"\(manifest.region)","name":"\(names[kind] ?? kind) \(id)",\
            "address":"г. Синтетград, ул. Условная, 1","inn":"7700000016","ogrn":"1027700000008",\
            "agreement":{"number":"СИД-\(id)","signed_on":"2026-09-01","signatory":"Подписант Условный"}}
            """
        try Self.expect(try desk.call("POST", "/v1/organisations", body), [201], "registering \(kind) \(id)")
    }

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
