import DatabaseTestSupport
import Foundation
@testable import Platform
import Policy
import PostgreSQL
import Testing
import Tokens
import Vault
import VaultDoor

/// The trials door as the vault process answers it (``TrialsDoorHandler``), over a real vault on a
/// fresh database: the mentor's attendance names are released only while the policy
/// (`mentor.pupils.attendance-list`: enrolled in an event the mentor runs, until 7 days after) and
/// the consent (`event_attendance`) allow, never to another mentor; the navigator's translation
/// needs the `assigned_navigator` fact. Every read audited. Synthetic data only.
@Suite("Trials door")
struct TrialsDoorTests {
    static let school = DoorCaller(
        role: "school", account: "usr_schoolaaaaaaaaaaaaaaa", session: "ses_s", organisationKind: "school", organisationID: "77-1234",
        region: "77")
    static let navigator = DoorCaller(
        role: "navigator", account: "usr_navaaaaaaaaaaaaaaaaaaa", session: "ses_n", organisationKind: "school", organisationID: "77-1234",
        region: "77")
    static let otherNavigator = DoorCaller(
        role: "navigator", account: "usr_navbbbbbbbbbbbbbbbbbbb", session: "ses_o", organisationKind: "school", organisationID: "77-1234",
        region: "77")
    static let mentor = DoorCaller(
        role: "mentor", account: "usr_mentoraaaaaaaaaaaaaaaa", session: "ses_m", organisationKind: "venue", organisationID: "77-0042",
        region: "77")
    static let otherMentor = DoorCaller(
        role: "mentor", account: "usr_mentorbbbbbbbbbbbbbbbb", session: "ses_x", organisationKind: "venue", organisationID: "77-0042",
        region: "77")
    static let venue = DoorCaller(
        role: "venue", account: "usr_venueaaaaaaaaaaaaaaaaa", session: "ses_v", organisationKind: "venue", organisationID: "77-0042",
        region: "77")

    struct Fixture {
        let database: TestDatabase
        let pool: PostgresConnectionPool
        let vault: Vault
        let directory: String

        func ask(_ request: TrialsDoorRequest, as caller: DoorCaller) async -> VaultDoorResponse {
            await TrialsDoorHandler.answer(request, caller: caller, vault: vault)
        }

        func count(_ sql: SQLStatement) async throws -> Int {
            try await database.withPool { pool in try await pool.query(sql).singleValue(Int.self) }
        }

        /// Registers a synthetic pupil of school 77-1234 consenting to `purposes`: vault and trials tokens.
        func pupil(_ surname: String, _ first: String, purposes: [String]) async throws -> (vault: String, trials: String) {
            let requester = try Requester(caller: TrialsDoorTests.school, schema: vault.policies.current.schema)
            let enrolled = try await vault.enrol(
                PupilEnrolment(
                    pupil: [.surname: PersonalValue(surname), .firstName: PersonalValue(first), .birthDate: "2011-04-02", .grade: "9"],
                    guardian: [.name: PersonalValue("\(surname) Мать"), .relation: "mother"], guardianIsParent: true,
                    consentNumber: "N-\(first)", consentSignedOn: "2025-09-01", pupilAlsoSigned: true,
                    purposes: ["enrolment"] + purposes),
                school: "77-1234", region: "77", by: requester)
            return (enrolled.pupil.token.rawValue, try #require(enrolled.pupil.moduleTokens[.trials]).rawValue)
        }

        /// A relationship fact as the school's or the venue's registry would record it.
        func fact(_ kind: String, _ subjectType: String, _ subject: String, _ objectType: String, _ object: String, from: Date, until: Date) async throws {
            try await database.withPool { pool in
                try await pool.execute(
                    """
                    INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id, valid_from, valid_until)
                    VALUES (\(kind), \(subjectType), \(subject), \(objectType), \(object), \(from), \(until))
                    """)
            }
        }

        /// A staff account as the administrators' registry would create it.
        func account(_ caller: DoorCaller, role: String? = nil, venue: String? = nil, disabled: Bool = false) async throws {
            let organisation = "bilet://\(caller.organisationKind ?? "venue")/\(venue ?? caller.organisationID ?? "77-0042")"
            let login = caller.account.lowercased().replacingOccurrences(of: "_", with: ".")
            let hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA"
            try await database.withPool { pool in
                try await pool.execute(
                    """
                    INSERT INTO accounts.accounts (id, login, role, organisation, region, password_hash, disabled)
                    VALUES (\(caller.account), \(login), \(role ?? caller.role), \(organisation), '77', \(hash), \(disabled))
                    ON CONFLICT (id) DO UPDATE SET role = EXCLUDED.role, organisation = EXCLUDED.organisation, disabled = EXCLUDED.disabled
                    """)
            }
        }

        /// Binds `event` to `venue` as the vault's first `runBy` would.
        func bind(_ event: String, to venue: String) async throws {
            try await database.withPool { pool in
                try await pool.execute("INSERT INTO vault.trial_event_venues (event, venue, bound_by) VALUES (\(event), \(venue), 'user:usr_test')")
            }
        }

        /// The navigator's pupil enrolled through the vault (assigned, then the token for `create`).
        func enrolled(_ pupil: (vault: String, trials: String), in event: String, now: Date) async throws {
            try await fact(
                "assigned_navigator", "pupil", pupil.vault, "user", TrialsDoorTests.navigator.account, from: now.addingTimeInterval(-86_400),
                until: now.addingTimeInterval(86_400))
            let answer = await ask(.enrolmentToken(pupil: pupil.vault, event: event, region: "77", action: "create"), as: TrialsDoorTests.navigator)
            #expect(answer == .trials(.token(pupil.trials)))
        }

        /// The live facts of `kind` about `subject`.
        func live(_ kind: String, _ subject: String) async throws -> Int {
            try await count(
                "SELECT count(*) FROM policy.relationships WHERE kind = \(kind) AND subject_id = \(subject) AND expired_at IS NULL")
        }

        func shutdown() async {
            await pool.shutdown()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static func fixture() async throws -> Fixture {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components(maxConnectionsPerComponent: 4).makePool(for: .vault)
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let policies = try PolicyStore(directory: root.path + "/policies", hasher: SHA256VersionHasher())
        let vault = Vault(pool: pool, policies: policies, audit: .init())
        let directory = NSTemporaryDirectory() + "bilet-trials-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try VaultKeyFile.generate(at: directory + "/master.key")
        try await vault.initialize(with: .keyFile(path: directory + "/master.key"), by: "admin:test")
        return Fixture(database: database, pool: pool, vault: vault, directory: directory)
    }

    static func names(_ response: VaultDoorResponse) -> [AttendanceName] {
        guard case .trials(.names(let names)) = response else { return [] }
        return names
    }

    @Test("the mentor gets first name and surname initial while the policy window and the consent allow; never another mentor")
    func attendanceNames() async throws {
        let fixture = try await Self.fixture()
        let now = Date()
        let anna = try await fixture.pupil("Тестова", "Анна", purposes: ["event_attendance"])
        let boris = try await fixture.pupil("Примеров", "Борис", purposes: [])
        let vera = try await fixture.pupil("Образцова", "Вера", purposes: ["event_attendance"])
        try await fixture.account(Self.mentor)
        try await fixture.account(Self.otherMentor)
        try await fixture.enrolled(anna, in: "1", now: now)
        try await fixture.enrolled(boris, in: "1", now: now)
        // Event 1 runs now, by the mentor: Anna and Boris seated. Event 2 ended 10 days ago: Vera.
        let recordedRunBy = await fixture.ask(
            .runBy(event: "1", mentor: Self.mentor.account, startsAt: now.addingTimeInterval(-3_600).ISO8601Format(),
                   endsAt: now.addingTimeInterval(3_600).ISO8601Format()), as: Self.venue)
        #expect(recordedRunBy == .trials(.recorded))
        #expect(await fixture.ask(.runBy(event: "1", mentor: Self.mentor.account, startsAt: "x", endsAt: "y"), as: Self.navigator) == .refused(code: "forbidden"))
        let seated = await fixture.ask(
            .seats(event: "1", endsAt: now.addingTimeInterval(3_600).ISO8601Format(), seated: [anna.trials, boris.trials], released: []),
            as: Self.navigator)
        #expect(seated == .trials(.recorded))
        try await fixture.bind("2", to: "77-0042")
        try await fixture.bind("3", to: "77-0042")
        try await fixture.fact("enrolled_in", "pupil", vera.vault, "event", "2", from: now.addingTimeInterval(-20 * 86_400), until: now.addingTimeInterval(-10 * 86_400))
        try await fixture.fact("run_by", "event", "2", "user", Self.mentor.account, from: now.addingTimeInterval(-11 * 86_400), until: now.addingTimeInterval(-10 * 86_400))

        let list = Self.names(await fixture.ask(.attendanceNames(event: "1", pupils: [anna.trials, boris.trials]), as: Self.mentor))
        #expect(list.count == 2)
        #expect(list.first?.firstName == "Анна")
        #expect(list.first?.surname?.hasPrefix("Т") == true)
        #expect(list.first?.surname != "Тестова")
        #expect(list.first?.refusal == nil)
        #expect(list.last?.firstName == nil)
        #expect(list.last?.refusal == "consent-missing")
        // Another mentor of the same venue: nothing.
        let other = Self.names(await fixture.ask(.attendanceNames(event: "1", pupils: [anna.trials]), as: Self.otherMentor))
        #expect(other.first?.firstName == nil)
        #expect(other.first?.refusal == "pupil-not-found")
        // Past the window (event 2 ended 10 days ago, the rule allows 7): nothing.
        let late = Self.names(await fixture.ask(.attendanceNames(event: "2", pupils: [vera.trials]), as: Self.mentor))
        #expect(late.first?.firstName == nil)
        #expect(late.first?.refusal == "pupil-not-found")
        // Within the grace: event 3 ended 6 days ago.
        try await fixture.fact("enrolled_in", "pupil", vera.vault, "event", "3", from: now.addingTimeInterval(-20 * 86_400), until: now.addingTimeInterval(-6 * 86_400))
        try await fixture.fact("run_by", "event", "3", "user", Self.mentor.account, from: now.addingTimeInterval(-7 * 86_400), until: now.addingTimeInterval(-6 * 86_400))
        #expect(Self.names(await fixture.ask(.attendanceNames(event: "3", pupils: [vera.trials]), as: Self.mentor)).first?.firstName == "Вера")
        // A released seat ends the mentor's view at once.
        #expect(
            await fixture.ask(.seats(event: "1", endsAt: now.addingTimeInterval(3_600).ISO8601Format(), seated: [], released: [anna.trials]), as: Self.navigator)
                == .trials(.recorded))
        #expect(Self.names(await fixture.ask(.attendanceNames(event: "1", pupils: [anna.trials]), as: Self.mentor)).first?.firstName == nil)
        // A navigator or a venue never gets the list.
        #expect(await fixture.ask(.attendanceNames(event: "1", pupils: [anna.trials]), as: Self.venue) == .refused(code: "forbidden"))

        // Every read audited: 2 released, 4 refused.
        #expect(try await fixture.count("SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND purpose = 'event_attendance' AND decision = 'permit'") == 2)
        #expect(try await fixture.count("SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND purpose = 'event_attendance' AND decision = 'deny'") == 4)
        // run_by; per pupil pending recorded, then pending ended and enrolled_in recorded; Anna's enrolled_in ended.
        #expect(try await fixture.count("SELECT count(*) FROM audit.events WHERE kind = 'trials.relationship_recorded'") == 8)
        await fixture.shutdown()
    }

    @Test("the navigator's translation needs the assigned_navigator fact; a refusal is audited and looks like an unknown pupil")
    func enrolmentToken() async throws {
        let fixture = try await Self.fixture()
        let anna = try await fixture.pupil("Тестова", "Анна", purposes: [])
        let refused = await fixture.ask(.enrolmentToken(pupil: anna.vault, event: "1", region: "77", action: "create"), as: Self.navigator)
        let unknown = await fixture.ask(
            .enrolmentToken(pupil: "sub_" + String(repeating: "A", count: 22), event: "1", region: "77", action: "create"), as: Self.navigator)
        #expect(refused == .refused(code: "pupil-not-found"))
        #expect(unknown == refused)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND decision = 'deny' AND payload->>'resource' = 'enrolment'") == 1)
        let now = Date()
        try await fixture.fact("assigned_navigator", "pupil", anna.vault, "user", Self.navigator.account, from: now.addingTimeInterval(-86_400), until: now.addingTimeInterval(86_400))
        #expect(await fixture.ask(.enrolmentToken(pupil: anna.vault, event: "1", region: "77", action: "create"), as: Self.navigator) == .trials(.token(anna.trials)))
        #expect(
            await fixture.ask(.enrolmentToken(pupil: anna.vault, event: "1", region: "77", action: "create"), as: Self.otherNavigator)
                == .refused(code: "pupil-not-found"))
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit.events WHERE kind = 'token.resolved' AND purpose = 'enrolment' AND decision = 'permit'") == 1)
        await fixture.shutdown()
    }

    @Test("a seat becomes enrolled_in only for a pupil whose token the vault issued for that event; a planted one is refused and audited")
    func plantedSeatIsRefused() async throws {
        let fixture = try await Self.fixture()
        let now = Date()
        let ends = now.addingTimeInterval(3_600).ISO8601Format()
        let anna = try await fixture.pupil("Тестова", "Анна", purposes: ["event_attendance"])
        let vera = try await fixture.pupil("Образцова", "Вера", purposes: ["event_attendance"])
        let gleb = try await fixture.pupil("Пробный", "Глеб", purposes: ["event_attendance"])
        try await fixture.account(Self.mentor)
        #expect(
            await fixture.ask(.runBy(event: "1", mentor: Self.mentor.account, startsAt: now.addingTimeInterval(-3_600).ISO8601Format(), endsAt: ends), as: Self.venue)
                == .trials(.recorded))
        // Anna was enrolled through the vault in event 1; Gleb only in event 2; Vera never.
        try await fixture.enrolled(anna, in: "1", now: now)
        try await fixture.enrolled(gleb, in: "2", now: now)
        #expect(try await fixture.live("enrolment_pending", anna.vault) == 1)
        #expect(await fixture.ask(.seats(event: "1", endsAt: ends, seated: [anna.trials], released: []), as: Self.navigator) == .trials(.recorded))
        #expect(try await fixture.live("enrolled_in", anna.vault) == 1)
        #expect(try await fixture.live("enrolment_pending", anna.vault) == 0)
        // A cancellation of Anna whose "promoted" pupils the trials module planted (Vera, and Gleb of another event).
        #expect(
            await fixture.ask(.seats(event: "1", endsAt: ends, seated: [vera.trials, gleb.trials], released: [anna.trials]), as: Self.navigator)
                == .trials(.recorded))
        #expect(try await fixture.live("enrolled_in", vera.vault) == 0)
        #expect(try await fixture.live("enrolled_in", gleb.vault) == 0)
        #expect(try await fixture.live("enrolled_in", anna.vault) == 0)
        #expect(try await fixture.live("enrolment_pending", gleb.vault) == 1)
        #expect(
            try await fixture.count(
                """
                SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND decision = 'deny'
                  AND payload->>'rule' = 'vault.trials.seat-not-issued' AND subject IN (\(vera.vault), \(gleb.vault))
                """) == 2)
        // The mentor sees neither name.
        let list = Self.names(await fixture.ask(.attendanceNames(event: "1", pupils: [vera.trials, gleb.trials]), as: Self.mentor))
        #expect(list.map(\.firstName) == [nil, nil])
        #expect(list.map(\.refusal) == ["pupil-not-found", "pupil-not-found"])
        // A pupil enrolled and waiting, then withdrawn, is no longer pending: a later planted promotion is refused too.
        try await fixture.enrolled(vera, in: "1", now: now)
        #expect(await fixture.ask(.seats(event: "1", endsAt: ends, seated: [], released: [vera.trials]), as: Self.navigator) == .trials(.recorded))
        #expect(try await fixture.live("enrolment_pending", vera.vault) == 0)
        #expect(await fixture.ask(.seats(event: "1", endsAt: ends, seated: [vera.trials], released: []), as: Self.navigator) == .trials(.recorded))
        #expect(try await fixture.live("enrolled_in", vera.vault) == 0)
        await fixture.shutdown()
    }

    @Test("run_by only for a live mentor account of the caller's venue, the event bound to the venue; no mentor ends it; a disabled mentor reads no names")
    func runByChecksTheMentor() async throws {
        let fixture = try await Self.fixture()
        let now = Date()
        let from = now.addingTimeInterval(-3_600).ISO8601Format()
        let until = now.addingTimeInterval(3_600).ISO8601Format()
        let anna = try await fixture.pupil("Тестова", "Анна", purposes: ["event_attendance"])
        let otherVenue = DoorCaller(
            role: "venue", account: "usr_venuebbbbbbbbbbbbbbbbb", session: "ses_w", organisationKind: "venue", organisationID: "77-0099", region: "77")
        let foreignMentor = DoorCaller(
            role: "mentor", account: "usr_mentorcccccccccccccccc", session: "ses_y", organisationKind: "venue", organisationID: "77-0099", region: "77")
        try await fixture.account(Self.mentor)
        try await fixture.account(Self.otherMentor, disabled: true)
        try await fixture.account(foreignMentor)
        try await fixture.account(Self.navigator, role: "navigator", venue: "77-1234")

        func runBy(_ event: String, _ mentor: String?, as caller: DoorCaller) async -> VaultDoorResponse {
            await fixture.ask(.runBy(event: event, mentor: mentor, startsAt: from, endsAt: until), as: caller)
        }
        // Not a mentor account, another venue's mentor, a disabled mentor, an unknown account: refused.
        #expect(await runBy("1", Self.navigator.account, as: Self.venue) == .refused(code: "forbidden"))
        #expect(await runBy("1", foreignMentor.account, as: Self.venue) == .refused(code: "forbidden"))
        #expect(await runBy("1", Self.otherMentor.account, as: Self.venue) == .refused(code: "forbidden"))
        #expect(await runBy("1", "usr_unknownaaaaaaaaaaaaa", as: Self.venue) == .refused(code: "forbidden"))
        #expect(try await fixture.live("run_by", "1") == 0)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND decision = 'deny' AND payload->>'rule' = 'vault.trials.not-a-live-mentor'")
                == 4)
        // The venue's live mentor: recorded; the event is now the venue's, and another venue is refused for it.
        #expect(await runBy("1", Self.mentor.account, as: Self.venue) == .trials(.recorded))
        #expect(try await fixture.live("run_by", "1") == 1)
        #expect(await runBy("1", foreignMentor.account, as: otherVenue) == .refused(code: "forbidden"))
        #expect(await runBy("1", nil, as: otherVenue) == .refused(code: "forbidden"))
        #expect(try await fixture.live("run_by", "1") == 1)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND decision = 'deny' AND payload->>'rule' = 'vault.trials.event-of-another-venue'")
                == 2)

        // The mentor reads Anna's name; once the account is disabled, nothing (even with the fact live).
        try await fixture.enrolled(anna, in: "1", now: now)
        #expect(await fixture.ask(.seats(event: "1", endsAt: until, seated: [anna.trials], released: []), as: Self.navigator) == .trials(.recorded))
        #expect(Self.names(await fixture.ask(.attendanceNames(event: "1", pupils: [anna.trials]), as: Self.mentor)).first?.firstName == "Анна")
        try await fixture.account(Self.mentor, disabled: true)
        #expect(await fixture.ask(.attendanceNames(event: "1", pupils: [anna.trials]), as: Self.mentor) == .refused(code: "forbidden"))
        // Another venue's mentor never reads event 1, whatever facts say.
        try await fixture.fact("run_by", "event", "1", "user", foreignMentor.account, from: now.addingTimeInterval(-3_600), until: now.addingTimeInterval(3_600))
        #expect(await fixture.ask(.attendanceNames(event: "1", pupils: [anna.trials]), as: foreignMentor) == .refused(code: "forbidden"))
        try await fixture.account(Self.mentor)
        // The mentor taken off the event (no mentor): every run_by of the event ends, and the names with it.
        #expect(await runBy("1", nil, as: Self.venue) == .trials(.recorded))
        #expect(try await fixture.live("run_by", "1") == 0)
        #expect(Self.names(await fixture.ask(.attendanceNames(event: "1", pupils: [anna.trials]), as: Self.mentor)).first?.firstName == nil)
        await fixture.shutdown()
    }

    @Test("an event window over 31 days is refused and audited; a seat ends at the window the vault accepted, not the one the module sends; no window, no seat; trials.events refuses a longer event (attack review 2 #1)")
    func eventWindowIsBoundedByTheVault() async throws {
        let fixture = try await Self.fixture()
        let now = Date()
        let anna = try await fixture.pupil("Тестова", "Анна", purposes: ["event_attendance"])
        let boris = try await fixture.pupil("Примеров", "Борис", purposes: ["event_attendance"])
        try await fixture.account(Self.mentor)
        let start = now.addingTimeInterval(-3_600)
        // 31 days and a second: refused, audited, nothing bound or recorded.
        let tooLong = await fixture.ask(
            .runBy(event: "1", mentor: Self.mentor.account, startsAt: start.ISO8601Format(),
                   endsAt: start.addingTimeInterval(Vault.trialsMaximumEventWindow + 1).ISO8601Format()), as: Self.venue)
        #expect(tooLong == .refused(code: "forbidden"))
        #expect(try await fixture.live("run_by", "1") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM vault.trial_event_venues") == 0)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND decision = 'deny' AND payload->>'rule' = 'vault.trials.window-too-long'")
                == 1)
        // A two-hour event: accepted and stored with the binding.
        let end = now.addingTimeInterval(3_600)
        #expect(
            await fixture.ask(.runBy(event: "1", mentor: Self.mentor.account, startsAt: start.ISO8601Format(), endsAt: end.ISO8601Format()), as: Self.venue)
                == .trials(.recorded))
        #expect(
            try await fixture.count("SELECT count(*) FROM vault.trial_event_venues WHERE event = '1' AND ends_at = \(Date(timeIntervalSince1970: end.timeIntervalSince1970.rounded(.down)))") == 1)
        // The seats call claims the event ends in 2099 (a module row stretched, a gateway bug): the fact ends with the stored window.
        try await fixture.enrolled(anna, in: "1", now: now)
        let stretched = Date(timeIntervalSince1970: 4_102_358_400).ISO8601Format()
        #expect(await fixture.ask(.seats(event: "1", endsAt: stretched, seated: [anna.trials], released: []), as: Self.navigator) == .trials(.recorded))
        #expect(
            try await fixture.count(
                """
                SELECT count(*) FROM policy.relationships WHERE kind = 'enrolled_in' AND subject_id = \(anna.vault) AND expired_at IS NULL
                  AND valid_until = \(Date(timeIntervalSince1970: end.timeIntervalSince1970.rounded(.down)))
                """) == 1)
        // An event the vault accepted no window for (bound before 0840): no seat fact, refused and audited.
        try await fixture.bind("5", to: "77-0042")
        try await fixture.enrolled(boris, in: "5", now: now)
        #expect(
            await fixture.ask(.seats(event: "5", endsAt: end.ISO8601Format(), seated: [boris.trials], released: []), as: Self.navigator)
                == .trials(.recorded))
        #expect(try await fixture.live("enrolled_in", boris.vault) == 0)
        #expect(try await fixture.live("enrolment_pending", boris.vault) == 1)
        #expect(
            try await fixture.count(
                """
                SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND decision = 'deny'
                  AND payload->>'rule' = 'vault.trials.no-event-window' AND subject = \(boris.vault)
                """) == 1)
        // The database refuses an event longer than 31 days, whoever writes it (23514).
        let refused = await #expect(throws: PostgresError.self) {
            try await fixture.database.withPool { pool in
                try await pool.execute(
                    """
                    WITH p AS (INSERT INTO trials.places (venue, name, address, capacity, created_by)
                               VALUES ('77-0042', 'Hall', 'Moscow', 10, 'user:usr_seed') RETURNING id)
                    INSERT INTO trials.events (venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, format, status, seated, created_by)
                    SELECT '77-0042', '77', 'trial', 'Long', now(), now() + interval '31 days 1 second', p.id, 10, 'it', 'in_person', 'approved', 0,
                           'user:usr_seed' FROM p
                    """)
            }
        }
        #expect(refused?.code == .server(.checkViolation))
        await fixture.shutdown()
    }

    @Test("a caller of the wrong role is refused and audited at the trials door; a navigator releases only pupils it may withdraw (attack review 2 #10, #7)")
    func wrongCallersAndForeignReleases() async throws {
        let fixture = try await Self.fixture()
        let now = Date()
        let anna = try await fixture.pupil("Тестова", "Анна", purposes: ["event_attendance"])
        try await fixture.account(Self.mentor)
        let from = now.addingTimeInterval(-3_600).ISO8601Format()
        let until = now.addingTimeInterval(3_600).ISO8601Format()
        // Each request from a caller it is not for: forbidden, and a policy.decided deny (vault.trials.wrong-role).
        // (A pupil request answers as an unknown pupil, as every refusal about a pupil does.)
        #expect(
            await fixture.ask(.enrolmentToken(pupil: anna.vault, event: "1", region: "77", action: "create"), as: Self.venue)
                == .refused(code: "pupil-not-found"))
        #expect(await fixture.ask(.seats(event: "1", endsAt: until, seated: [], released: [anna.trials]), as: Self.mentor) == .refused(code: "forbidden"))
        #expect(await fixture.ask(.runBy(event: "1", mentor: Self.mentor.account, startsAt: from, endsAt: until), as: Self.navigator) == .refused(code: "forbidden"))
        #expect(await fixture.ask(.attendanceNames(event: "1", pupils: [anna.trials]), as: Self.venue) == .refused(code: "forbidden"))
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND decision = 'deny' AND payload->>'rule' = 'vault.trials.wrong-role'")
                == 4)
        // Anna enrolled and seated by her navigator; another navigator's release of her seat is refused and audited.
        #expect(await fixture.ask(.runBy(event: "1", mentor: Self.mentor.account, startsAt: from, endsAt: until), as: Self.venue) == .trials(.recorded))
        try await fixture.enrolled(anna, in: "1", now: now)
        #expect(await fixture.ask(.seats(event: "1", endsAt: until, seated: [anna.trials], released: []), as: Self.navigator) == .trials(.recorded))
        #expect(try await fixture.live("enrolled_in", anna.vault) == 1)
        #expect(await fixture.ask(.seats(event: "1", endsAt: until, seated: [], released: [anna.trials]), as: Self.otherNavigator) == .trials(.recorded))
        #expect(try await fixture.live("enrolled_in", anna.vault) == 1)
        #expect(
            try await fixture.count(
                """
                SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND decision = 'deny' AND actor = \("user:" + Self.otherNavigator.account)
                  AND payload->>'resource' = 'enrolment' AND payload->>'action' = 'delete' AND subject = \(anna.vault)
                """) == 1)
        // Her own navigator's release ends it.
        #expect(await fixture.ask(.seats(event: "1", endsAt: until, seated: [], released: [anna.trials]), as: Self.navigator) == .trials(.recorded))
        #expect(try await fixture.live("enrolled_in", anna.vault) == 0)
        await fixture.shutdown()
    }
}
