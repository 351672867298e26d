@testable import BiletCLI
import DatabaseTestSupport
import Foundation
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
        role: "navigator", account: "usr_navaaaaaaaaaaaaaaaaaa", session: "ses_n", organisationKind: "school", organisationID: "77-1234",
        region: "77")
    static let otherNavigator = DoorCaller(
        role: "navigator", account: "usr_navbbbbbbbbbbbbbbbbbb", session: "ses_o", organisationKind: "school", organisationID: "77-1234",
        region: "77")
    static let mentor = DoorCaller(
        role: "mentor", account: "usr_mentoraaaaaaaaaaaaaa", session: "ses_m", organisationKind: "venue", organisationID: "77-0042",
        region: "77")
    static let otherMentor = DoorCaller(
        role: "mentor", account: "usr_mentorbbbbbbbbbbbbbb", session: "ses_x", organisationKind: "venue", organisationID: "77-0042",
        region: "77")
    static let venue = DoorCaller(
        role: "venue", account: "usr_venueaaaaaaaaaaaaaaa", session: "ses_v", organisationKind: "venue", organisationID: "77-0042",
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
        #expect(try await fixture.count("SELECT count(*) FROM audit.events WHERE kind = 'trials.relationship_recorded'") == 4)
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
}
