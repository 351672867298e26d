import Accounts
import Audit
import DatabaseTestSupport
import Foundation
import Policy
import PostgreSQL
import Storage
import Tokens
import Trials
import TrialsHTTP

/// A migrated throwaway database with the trials store (`bilet_trials`), the desk appending its
/// audit records as `bilet_gateway`, the repository's real policies, and callers of every role.
struct TrialsFixture {
    let database: TestDatabase
    let trialsPool: PostgresConnectionPool
    let recorder: PostgresConnectionPool
    let desk: TrialsDesk

    static let venue = "77-0042"
    static let otherVenue = "77-0043"

    static let venueCaller = caller("usr_venue1", .venue, venue, "77")
    static let otherVenueCaller = caller("usr_venue2", .venue, otherVenue, "77")
    static let coordinator = caller("usr_coord77", .regionalCoordinator, "77", "77")
    static let otherCoordinator = caller("usr_coord50", .regionalCoordinator, "50", "50")
    static let navigator = caller("usr_nav1", .navigator, "77-0001", "77")
    static let mentor = caller("usr_mentor1", .mentor, venue, "77")
    static let otherMentor = caller("usr_mentor2", .mentor, venue, "77")

    static func caller(_ account: String, _ role: StaffRole, _ organisation: String, _ region: String?) -> TrialsCaller {
        var attributes: [String: Value] = ["user": .entity(EntityRef("user", account))]
        if let kind = role.organisationKind { attributes["organisation"] = .entity(EntityRef(kind.rawValue, organisation)) }
        if let region { attributes["region"] = .entity(EntityRef("region", region)) }
        return TrialsCaller(account: account, role: role, organisation: organisation, region: region, principal: Principal(role: role.rawValue, attributes: attributes))
    }

    static let policiesDirectory: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/policies"
    }()

    static func make(connections: Int = 4) async throws -> TrialsFixture {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        // Enrolments into one event queue on its row lock, each holding it while its audit record is
        // appended; with 50 of them on a loaded machine the last waits longer than the pools' usual
        // 10 s for a connection. These tests check what is stored, not how fast: they wait.
        let components = database.components(maxConnectionsPerComponent: connections, acquireTimeout: .seconds(120))
        let trials = components.makePool(for: .trials)
        let recorder = components.makePool(for: .gateway)
        let policies = try PolicyStore(directory: policiesDirectory, hasher: SHA256VersionHasher())
        return TrialsFixture(
            database: database, trialsPool: trials, recorder: recorder,
            desk: TrialsDesk(store: TrialsStore(pool: trials), policies: policies, recorder: recorder))
    }

    func shutdown() async {
        await trialsPool.shutdown()
        await recorder.shutdown()
    }

    var store: TrialsStore { desk.store }

    /// An approved event of the venue with `capacity` seats, run by ``mentor`` from `start` for two hours.
    func approvedEvent(capacity: Int, start: Date = Date().addingTimeInterval(86_400)) async throws -> TrialEvent {
        let place = try await desk.addPlace(Self.venueCaller, name: "Workshop 1", address: "Moscow, Testovaya 1", capacity: 500)
        try await store.addMentor(venue: Self.venue, account: Self.mentor.account, by: "user:usr_venue1")
        try await store.addMentor(venue: Self.venue, account: Self.otherMentor.account, by: "user:usr_venue1")
        let event = try await desk.createEvent(Self.venueCaller, details(place: place.id, capacity: capacity, start: start))
        _ = try await desk.submit(Self.venueCaller, event.id)
        return try await desk.decide(Self.coordinator, event.id, approve: true, reason: nil)
    }

    func details(place: Int64, capacity: Int, start: Date = Date().addingTimeInterval(86_400)) -> EventDetails {
        EventDetails(
            kind: .trial, title: "Robotics trial", startsAt: start, endsAt: start.addingTimeInterval(7_200), place: place,
            capacity: capacity, sphere: "engineering", competencies: ["robotics", "teamwork"], format: .inPerson, mentor: Self.mentor.account)
    }

    static func pupil(_ number: Int) throws -> TrialsToken {
        var entropy = Array(repeating: UInt8(0), count: 16)
        entropy[0] = UInt8(number & 0xFF)
        entropy[1] = UInt8((number >> 8) & 0xFF)
        entropy[15] = 0x7F
        return try TrialsToken(entropy: entropy)
    }

    func count(_ statement: SQLStatement) async throws -> Int {
        try await database.withPool { pool in try await pool.query(statement).singleValue(Int.self) }
    }
}
