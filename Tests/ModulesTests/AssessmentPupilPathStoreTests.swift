@testable import Assessment
import DatabaseTestSupport
import Foundation
import PostgreSQL
import Testing
import Tokens

/// The assessment store's fixes of the modules' attack review on the pupil's path: published
/// versions validated once (#11), one pupil's concurrent submits merged on the footprint (#12),
/// and session time from the database's clock (#14).
@Suite("Assessment store: the pupil's path")
struct AssessmentPupilPathStoreTests {
    static func token(_ byte: UInt8) throws -> AssessmentToken {
        try AssessmentToken(entropy: Array(repeating: byte, count: 16))
    }

    static func json(_ definition: TestDefinition) throws -> Data { try JSONEncoder().encode(definition) }

    @Test("a published version is validated once and reused; a draft is never kept")
    func publishedVersionsCached() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: .assessment)
        defer { Task { await pool.shutdown() } }
        let store = AssessmentStore(pool: pool)
        _ = try await store.upload(json: try Self.json(ExampleTest.definition()), by: "usr_m")
        _ = try await store.test(code: "career-interests-7", version: 1)
        #expect(store.tests.count == 0)
        _ = try await store.publish(code: "career-interests-7", version: 1, by: "usr_m")
        let assignment = try await store.assign(code: "career-interests-7", version: 1, to: try Self.token(1), due: nil, by: "usr_n").assignment
        let pupil = try Self.token(1)
        let session = try await store.start(assignment: assignment.id, pupil: pupil)
        #expect(store.tests.count == 1)
        let cached = try #require(store.tests.get(code: "career-interests-7", version: 1))
        #expect(cached.definition == ExampleTest.definition())
        for _ in 0..<3 { try await store.answer(.value(5), to: "q3", in: session.id, pupil: pupil) }
        #expect(store.tests.count == 1)
        let result = try await store.submit(session.id, pupil: pupil)
        #expect(result.sheet.scores["soft.teamwork"] == 100)
        // Bounded: a full table is cleared before the next version goes in.
        let small = ValidatedTestCache(capacity: 2)
        for version in 1...3 { small.put(cached, code: "c", version: version) }
        #expect(small.count == 1 && small.get(code: "c", version: 3) != nil)
    }

    @Test("two sessions of one pupil submitted at once both count on a new footprint dimension: one NULL start, then the merge")
    func concurrentSubmitsMerge() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components(maxConnectionsPerComponent: 12).makePool(for: .assessment)
        defer { Task { await pool.shutdown() } }
        let store = AssessmentStore(pool: pool)
        for version in [1, 2] {
            _ = try await store.upload(json: try Self.json(ExampleTest.definition(version: version)), by: "usr_m")
            _ = try await store.publish(code: "career-interests-7", version: version, by: "usr_m")
        }
        // Several pupils at once, each submitting two sessions together: without the per-pupil
        // lock both submits of a pupil read no teamwork value and the second overwrites the first.
        let pupils = try (1...6).map { try Self.token(UInt8($0)) }
        var sessions: [(AssessmentToken, UUID, UUID)] = []
        for pupil in pupils {
            var ids: [UUID] = []
            for (version, value) in [(1, 5), (2, 3)] {  // soft.teamwork 100, then 50
                let assignment = try await store.assign(code: "career-interests-7", version: version, to: pupil, due: nil, by: "usr_n").assignment
                let session = try await store.start(assignment: assignment.id, pupil: pupil)
                try await store.answer(.value(value), to: "q3", in: session.id, pupil: pupil)
                ids.append(session.id)
            }
            sessions.append((pupil, ids[0], ids[1]))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (pupil, first, second) in sessions {
                group.addTask { _ = try await store.submit(first, pupil: pupil) }
                group.addTask { _ = try await store.submit(second, pupil: pupil) }
            }
            try await group.waitForAll()
        }
        for pupil in pupils {
            #expect(try await store.footprint(for: pupil).first { $0.dimension == "soft.teamwork" }?.value == FootprintChange.merged(100, 50))
            let history = try await store.footprintHistory(for: pupil).filter { $0.dimension == "soft.teamwork" }
            #expect(history.count == 2)
            #expect(history.filter { $0.oldValue == nil }.count == 1, "\(history)")
            let first = try #require(history.first { $0.oldValue == nil })
            #expect(history.contains { $0.oldValue == first.newValue && $0.newValue == FootprintChange.merged(100, 50) }, "\(history)")
        }
    }

    @Test("without a test clock, session time is the database's: start, deadline and answers are stamped by clock_timestamp()")
    func databaseClock() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: .assessment)
        defer { Task { await pool.shutdown() } }
        let store = AssessmentStore(pool: pool)
        _ = try await store.upload(json: try Self.json(ExampleTest.definition()), by: "usr_m")
        _ = try await store.publish(code: "career-interests-7", version: 1, by: "usr_m")
        let pupil = try Self.token(1)
        let assignment = try await store.assign(code: "career-interests-7", version: 1, to: pupil, due: nil, by: "usr_n").assignment
        let before = try await pool.query("SELECT clock_timestamp()").singleValue(Date.self)
        let session = try await store.start(assignment: assignment.id, pupil: pupil)
        let after = try await pool.query("SELECT clock_timestamp()").singleValue(Date.self)
        #expect(session.startedAt >= before && session.startedAt <= after)
        #expect(session.deadline == session.startedAt.addingTimeInterval(1800))
        // A deadline the database's clock has passed ends the session, whatever the gateway's clock says.
        try await database.withPool { owner in
            try await owner.execute(
                "UPDATE assessment.sessions SET started_at = clock_timestamp() - interval '2 hours', deadline_at = clock_timestamp() - interval '1 second' WHERE id = \(session.id)")
        }
        let late = await #expect(throws: AssessmentError.self) { try await store.answer(.choice("c"), to: "q1", in: session.id, pupil: pupil) }
        #expect(late?.code == .deadlinePassed)
        #expect(try await store.session(session.id, pupil: pupil).status == .expired)
    }
}
