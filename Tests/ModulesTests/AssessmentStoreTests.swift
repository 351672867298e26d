import Assessment
import DatabaseTestSupport
import Foundation
import PostgreSQL
import Storage
import Testing
import Tokens

/// The assessment store on a real database as `bilet_assessment`: versions (a published one is
/// immutable, also to direct SQL), the attempt rule, resuming after a lost connection, the time
/// limit enforced by the store's clock, and the footprint with its history.
@Suite("Assessment store")
struct AssessmentStoreTests {
    /// A clock a test moves by hand.
    final class TestClock: @unchecked Sendable {
        private let lock = NSLock()
        private var current = Date(timeIntervalSince1970: 1_790_000_000)
        var now: Date { lock.withLock { current } }
        func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    }

    static func token(_ byte: UInt8) throws -> AssessmentToken {
        try AssessmentToken(entropy: Array(repeating: byte, count: 16))
    }

    static func json(_ definition: TestDefinition) throws -> Data { try JSONEncoder().encode(definition) }

    /// A migrated database, a store over a `bilet_assessment` pool with `clock`, and the example
    /// test (max attempts `attempts`) published and assigned to a pupil.
    static func published(
        _ database: TestDatabase, clock: TestClock, attempts: Int = 1
    ) async throws -> (AssessmentStore, PostgresConnectionPool, Assignment) {
        let pool = database.components().makePool(for: .assessment)
        let store = AssessmentStore(pool: pool, now: { clock.now })
        _ = try await store.upload(json: try json(ExampleTest.definition(maxAttempts: attempts)), by: "usr_methodologist")
        _ = try await store.publish(code: "career-interests-7", version: 1, by: "usr_methodologist")
        let assignment = try await store.assign(code: "career-interests-7", version: 1, to: try token(1), due: nil, by: "usr_navigator")
        return (store, pool, assignment.assignment)
    }

    @Test("an invalid definition is refused with every issue; nothing is stored")
    func invalidRefused() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: .assessment)
        defer { Task { await pool.shutdown() } }
        let store = AssessmentStore(pool: pool)
        var definition = ExampleTest.definition()
        definition.sections![1].questions![0].scale = TestDefinition.Scale(min: 5, max: 3)
        let error = await #expect(throws: AssessmentError.self) { try await store.upload(json: try Self.json(definition), by: "usr_m") }
        #expect(error?.code == .invalidDefinition)
        #expect(error?.issues.map(\.description) == ["section 2, question \"q3\": scale min 5 is not below max 3"])
        #expect(try await store.versions().isEmpty)
    }

    @Test("a published version is immutable: no re-upload, no second publish, and the database refuses a direct UPDATE or DELETE")
    func publishedImmutable() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let clock = TestClock()
        let (store, pool, _) = try await Self.published(database, clock: clock)
        defer { Task { await pool.shutdown() } }
        let again = await #expect(throws: AssessmentError.self) {
            try await store.upload(json: try Self.json(ExampleTest.definition()), by: "usr_methodologist")
        }
        #expect(again?.code == .versionPublished)
        let twice = await #expect(throws: AssessmentError.self) { try await store.publish(code: "career-interests-7", version: 1, by: "usr_m") }
        #expect(twice?.code == .versionPublished)
        // The module's own role, and even the owner, cannot change the published row.
        let update = await #expect(throws: PostgresError.self) {
            try await pool.execute("UPDATE assessment.tests SET title = 'changed' WHERE code = 'career-interests-7'")
        }
        #expect(update?.code == .server(.raiseException))
        let delete = await #expect(throws: PostgresError.self) {
            try await pool.execute("DELETE FROM assessment.tests WHERE code = 'career-interests-7'")
        }
        #expect(delete?.code == .server(.insufficientPrivilege))
        try await database.withPool { owner in
            let error = await #expect(throws: PostgresError.self) {
                try await owner.execute("UPDATE assessment.tests SET definition = '{}' WHERE code = 'career-interests-7' AND version = 1")
            }
            #expect(error?.code == .server(.raiseException))
            let gone = await #expect(throws: PostgresError.self) {
                try await owner.execute("DELETE FROM assessment.tests WHERE code = 'career-interests-7' AND version = 1")
            }
            #expect(gone?.code == .server(.raiseException))
        }
        #expect(try await store.test(code: "career-interests-7", version: 1).title == "Career interests, grade 7")
    }

    @Test("versions of one code coexist; a draft can be replaced but not assigned; an assignment pins its version")
    func versionsCoexist() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let clock = TestClock()
        let (store, pool, assignment) = try await Self.published(database, clock: clock)
        defer { Task { await pool.shutdown() } }
        var second = ExampleTest.definition(version: 2)
        second.title = "Career interests, grade 7 (2027)"
        _ = try await store.upload(json: try Self.json(second), by: "usr_methodologist")
        second.title = "Career interests, grade 7 (revised)"
        _ = try await store.upload(json: try Self.json(second), by: "usr_methodologist")
        let draft = await #expect(throws: AssessmentError.self) {
            try await store.assign(code: "career-interests-7", version: 2, to: try Self.token(2), due: nil, by: "usr_navigator")
        }
        #expect(draft?.code == .notPublished)
        _ = try await store.publish(code: "career-interests-7", version: 2, by: "usr_methodologist")
        let versions = try await store.versions()
        #expect(versions.map { "\($0.code)@\($0.version):\($0.state.rawValue):\($0.title)" } == [
            "career-interests-7@1:published:Career interests, grade 7",
            "career-interests-7@2:published:Career interests, grade 7 (revised)",
        ])
        #expect(try await store.assignments(for: try Self.token(1)).map(\.testVersion) == [1])
        #expect(assignment.testVersion == 1)
        let missing = await #expect(throws: AssessmentError.self) { try await store.publish(code: "no-such-test", version: 1, by: "usr_m") }
        #expect(missing?.code == .testNotFound)
    }

    /// The record closure of a change whose audit log refuses the append.
    struct RecordRefused: Error {}

    @Test("a change whose record cannot be written rolls back: upload, publish and assign store nothing (record-failed)")
    func recordFailureRollsBack() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: .assessment)
        defer { Task { await pool.shutdown() } }
        let store = AssessmentStore(pool: pool)
        let definition = try Self.json(ExampleTest.definition())

        let upload = await #expect(throws: AssessmentError.self) {
            try await store.upload(json: definition, by: "usr_methodologist") { _ in throw RecordRefused() }
        }
        #expect(upload?.code == .recordFailed)
        #expect(try await store.versions().isEmpty)

        _ = try await store.upload(json: definition, by: "usr_methodologist")
        let publish = await #expect(throws: AssessmentError.self) {
            try await store.publish(code: "career-interests-7", version: 1, by: "usr_methodologist") { _ in throw RecordRefused() }
        }
        #expect(publish?.code == .recordFailed)
        #expect(try await store.version(code: "career-interests-7", version: 1)?.state == .draft)

        // The retry publishes (before the fix it answered version-published with no record written).
        let published = try await store.publish(code: "career-interests-7", version: 1, by: "usr_methodologist") { version in
            #expect(version.state == .published && version.code == "career-interests-7" && version.version == 1)
        }
        #expect(published.state == .published)
        let pupil = try Self.token(1)
        let assign = await #expect(throws: AssessmentError.self) {
            try await store.assign(code: "career-interests-7", version: 1, to: pupil, due: nil, by: "usr_navigator") { _ in throw RecordRefused() }
        }
        #expect(assign?.code == .recordFailed)
        #expect(try await store.assignments(for: pupil).isEmpty)
        let count = try await database.withPool { owner in
            try await owner.query("SELECT count(*)::integer FROM assessment.assignments").singleValue(Int.self)
        }
        #expect(count == 0)
    }

    @Test("the attempt rule: a second attempt where the test allows one is refused; with two, the third is")
    func attemptRule() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let clock = TestClock()
        let (store, pool, assignment) = try await Self.published(database, clock: clock)
        defer { Task { await pool.shutdown() } }
        let pupil = try Self.token(1)
        let session = try await store.start(assignment: assignment.id, pupil: pupil)
        _ = try await store.submit(session.id, pupil: pupil)
        let second = await #expect(throws: AssessmentError.self) { try await store.start(assignment: assignment.id, pupil: pupil) }
        #expect(second?.code == .attemptsExhausted)
        // Another pupil cannot start this pupil's assignment.
        let other = await #expect(throws: AssessmentError.self) { try await store.start(assignment: assignment.id, pupil: try Self.token(9)) }
        #expect(other?.code == .assignmentNotFound)

        _ = try await store.upload(json: try Self.json(ExampleTest.definition(code: "twice", maxAttempts: 2)), by: "usr_m")
        _ = try await store.publish(code: "twice", version: 1, by: "usr_m")
        let twice = try await store.assign(code: "twice", version: 1, to: pupil, due: nil, by: "usr_navigator").assignment
        let first = try await store.start(assignment: twice.id, pupil: pupil)
        _ = try await store.submit(first.id, pupil: pupil)
        let secondAttempt = try await store.start(assignment: twice.id, pupil: pupil)
        #expect(secondAttempt.attempt == 2)
        _ = try await store.submit(secondAttempt.id, pupil: pupil)
        let third = await #expect(throws: AssessmentError.self) { try await store.start(assignment: twice.id, pupil: pupil) }
        #expect(third?.code == .attemptsExhausted)
    }

    @Test("assigning a version the pupil has again returns that assignment: no fresh attempts, no record; concurrent assigns make one")
    func assignIdempotent() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let clock = TestClock()
        let (store, pool, assignment) = try await Self.published(database, clock: clock)
        defer { Task { await pool.shutdown() } }
        let pupil = try Self.token(1)
        let session = try await store.start(assignment: assignment.id, pupil: pupil)
        _ = try await store.submit(session.id, pupil: pupil)
        // Another navigator (or a retry) assigns the same version again: the same assignment, its
        // attempt used, and the record is not called.
        clock.advance(60)
        let again = try await store.assign(
            code: "career-interests-7", version: 1, to: pupil, due: clock.now.addingTimeInterval(86_400), by: "usr_navigator2"
        ) { _ in throw RecordRefused() }
        #expect(!again.created)
        #expect(again.assignment.id == assignment.id)
        #expect(again.assignment.assignedBy == "usr_navigator" && again.assignment.dueAt == nil)
        #expect(again.assignment.attemptsUsed == 1 && again.assignment.maxAttempts == 1)
        #expect(try await store.assignments(for: pupil).map(\.id) == [assignment.id])
        let retake = await #expect(throws: AssessmentError.self) { try await store.start(assignment: again.assignment.id, pupil: pupil) }
        #expect(retake?.code == .attemptsExhausted)

        // Another version, or another pupil, is a new assignment.
        var second = ExampleTest.definition(version: 2)
        second.title = "Career interests, grade 7 (2027)"
        _ = try await store.upload(json: try Self.json(second), by: "usr_methodologist")
        _ = try await store.publish(code: "career-interests-7", version: 2, by: "usr_methodologist")
        let newVersion = try await store.assign(code: "career-interests-7", version: 2, to: pupil, due: nil, by: "usr_navigator")
        #expect(newVersion.created && newVersion.assignment.id != assignment.id)
        let otherPupil = try await store.assign(code: "career-interests-7", version: 1, to: try Self.token(2), due: nil, by: "usr_navigator")
        #expect(otherPupil.created)

        // Ten concurrent assignments of one version to a new pupil create exactly one.
        let third = try Self.token(3)
        let outcomes = try await withThrowingTaskGroup(of: AssignmentOutcome.self) { group in
            for _ in 0..<10 {
                group.addTask { try await store.assign(code: "career-interests-7", version: 1, to: third, due: nil, by: "usr_navigator") }
            }
            return try await group.reduce(into: [AssignmentOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.filter(\.created).count == 1)
        #expect(Set(outcomes.map(\.assignment.id)).count == 1)
        #expect(try await store.assignments(for: third).count == 1)
    }

    @Test("answers are saved as they arrive; after a lost connection a new store resumes the same session with its answers")
    func resume() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let clock = TestClock()
        let (store, pool, assignment) = try await Self.published(database, clock: clock)
        let pupil = try Self.token(1)
        let session = try await store.start(assignment: assignment.id, pupil: pupil)
        try await store.answer(.choice("c"), to: "q1", in: session.id, pupil: pupil)
        try await store.answer(.choice("c"), to: "q1", in: session.id, pupil: pupil)
        try await store.answer(.value(5), to: "q3", in: session.id, pupil: pupil)
        let bad = await #expect(throws: AssessmentError.self) { try await store.answer(.value(9), to: "q3", in: session.id, pupil: pupil) }
        #expect(bad?.code == .invalidAnswer)
        let foreign = await #expect(throws: AssessmentError.self) {
            try await store.answer(.value(1), to: "q3", in: session.id, pupil: try Self.token(9))
        }
        #expect(foreign?.code == .sessionNotFound)
        await pool.shutdown()

        // "Disconnect": a new pool, new connections.
        let again = database.components().makePool(for: .assessment)
        defer { Task { await again.shutdown() } }
        let resumedStore = AssessmentStore(pool: again, now: { clock.now })
        clock.advance(60)
        let resumed = try await resumedStore.start(assignment: assignment.id, pupil: pupil)
        #expect(resumed.id == session.id && resumed.attempt == 1)
        #expect(resumed.answers == ["q1": .choice("c"), "q3": .value(5)])
        #expect(resumed.test.sections?[0].questions?[0].options?.allSatisfy { $0.scores == nil } == true)
        try await resumedStore.answer(.value(5), to: "q4", in: session.id, pupil: pupil)
        let result = try await resumedStore.submit(session.id, pupil: pupil)
        #expect(result.outcome == .submitted && result.sheet.answered == 3)
        #expect(result.sheet.scores["soft.teamwork"] == 100)
        #expect(try await resumedStore.submit(session.id, pupil: pupil) == result)
        let closed = await #expect(throws: AssessmentError.self) { try await resumedStore.answer(.value(1), to: "q3", in: session.id, pupil: pupil) }
        #expect(closed?.code == .sessionClosed)
    }

    @Test("the time limit: an answer after the deadline is refused and the session is scored with what was saved")
    func timeLimit() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let clock = TestClock()
        let (store, pool, assignment) = try await Self.published(database, clock: clock)
        defer { Task { await pool.shutdown() } }
        let pupil = try Self.token(1)
        let session = try await store.start(assignment: assignment.id, pupil: pupil)
        #expect(session.deadline == session.startedAt.addingTimeInterval(1800))
        try await store.answer(.value(5), to: "q3", in: session.id, pupil: pupil)
        clock.advance(1801)
        let late = await #expect(throws: AssessmentError.self) { try await store.answer(.choice("c"), to: "q1", in: session.id, pupil: pupil) }
        #expect(late?.code == .deadlinePassed)
        let results = try await store.results(for: pupil)
        #expect(results.count == 1)
        #expect(results.first?.outcome == .expired && results.first?.sheet.answered == 1)
        #expect(results.first?.completedAt == session.deadline)
        #expect(results.first?.sheet.scores["soft.teamwork"] == 100 && results.first?.sheet.scores["competency.programming"] == nil)
        #expect(try await store.session(session.id, pupil: pupil).status == .expired)
        let again = await #expect(throws: AssessmentError.self) { try await store.start(assignment: assignment.id, pupil: pupil) }
        #expect(again?.code == .attemptsExhausted)
    }

    @Test("a result updates the footprint, with a history row per change naming its session")
    func footprint() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let clock = TestClock()
        let (store, pool, assignment) = try await Self.published(database, clock: clock, attempts: 2)
        defer { Task { await pool.shutdown() } }
        let pupil = try Self.token(1)
        let first = try await store.start(assignment: assignment.id, pupil: pupil)
        try await store.answer(.value(5), to: "q3", in: first.id, pupil: pupil)
        _ = try await store.submit(first.id, pupil: pupil)
        #expect(try await store.footprint(for: pupil).first { $0.dimension == "soft.teamwork" }?.value == 100)
        clock.advance(10)
        let second = try await store.start(assignment: assignment.id, pupil: pupil)
        try await store.answer(.value(3), to: "q3", in: second.id, pupil: pupil)
        _ = try await store.submit(second.id, pupil: pupil)
        let teamwork = try await store.footprintHistory(for: pupil).filter { $0.dimension == "soft.teamwork" }
        #expect(teamwork.map { "\($0.oldValue.map(String.init) ?? "-")→\($0.newValue)" } == ["-→100", "100→75"])
        #expect(teamwork.map(\.sourceSession) == [first.id, second.id])
        #expect(try await store.footprint(for: pupil).first { $0.dimension == "soft.teamwork" }?.value == 75)
        #expect(try await store.footprint(for: try Self.token(9)).isEmpty)
        // The erasure convention: erase_pupil removes every row of the token, one row per table.
        try await database.withPool { owner in
            let rows = try await owner.query("SELECT item, removed FROM assessment.erase_pupil(\(pupil.rawValue)) ORDER BY item")
            let removed = try Dictionary(uniqueKeysWithValues: rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1)) })
            #expect(removed.keys.sorted() == ["answers", "assignments", "footprint", "footprint_history", "results", "sessions"])
            #expect(removed["sessions"] == 2 && removed["results"] == 2 && removed["assignments"] == 1)
        }
        #expect(try await store.footprint(for: pupil).isEmpty)
        #expect(try await store.results(for: pupil).isEmpty)
    }
    @Test("a result is counted under the school and region of the call that scored it, on submit or on its deadline")
    func resultKey() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let clock = TestClock()
        let (store, pool, assignment) = try await Self.published(database, clock: clock)
        defer { Task { await pool.shutdown() } }
        let submitted = try Self.token(1)
        let session = try await store.start(assignment: assignment.id, pupil: submitted)
        _ = try await store.submit(session.id, pupil: submitted, key: ResultKey(school: "77-0001", region: "77"))

        let expired = try Self.token(2)
        let late = try await store.assign(code: "career-interests-7", version: 1, to: expired, due: nil, by: "usr_navigator").assignment
        let lateSession = try await store.start(assignment: late.id, pupil: expired)
        clock.advance(24 * 3600)
        #expect(try await store.session(lateSession.id, pupil: expired, key: ResultKey(school: "50-0002", region: "50")).status == .expired)

        let rows = try await pool.query(
            "SELECT pupil_token, school, region FROM assessment.results WHERE pupil_token IN (\(submitted.rawValue), \(expired.rawValue))")
        let keys = try Dictionary(uniqueKeysWithValues: rows.map {
            (try $0.decode(String.self, at: 0), [try $0.decode(String?.self, at: 1), try $0.decode(String?.self, at: 2)])
        })
        #expect(keys == [submitted.rawValue: ["77-0001", "77"], expired.rawValue: ["50-0002", "50"]])
    }

    @Test("concurrent starts of one assignment give one session; concurrent submits one result")
    func concurrentStarts() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let clock = TestClock()
        let (store, pool, assignment) = try await Self.published(database, clock: clock)
        defer { Task { await pool.shutdown() } }
        let pupil = try Self.token(1)
        async let first = store.start(assignment: assignment.id, pupil: pupil)
        async let second = store.start(assignment: assignment.id, pupil: pupil)
        let (a, b) = try await (first, second)
        #expect(a.id == b.id && a.attempt == 1)
        async let one = store.submit(a.id, pupil: pupil)
        async let two = store.submit(a.id, pupil: pupil)
        let (x, y) = try await (one, two)
        #expect(x == y)
        #expect(try await store.results(for: pupil).count == 1)
        #expect(try await store.assignments(for: pupil).first?.attemptsUsed == 1)
    }
}
