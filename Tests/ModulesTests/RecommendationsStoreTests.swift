import DatabaseTestSupport
import Foundation
import PostgreSQL
import Recommendations
import Storage
import Testing
import Tokens

/// The recommendations store: drafts replaced by a new generation, edits and publication, the
/// pupil's published view, opportunities, erasure.
@Suite("Recommendations store")
struct RecommendationsStoreTests {
    static func ranked(_ subject: String, rank: Int) -> RankedRecommendation {
        RankedRecommendation(
            kind: .sphere, subject: subject, title: RussianTitles.sphere(subject), score: 90 - rank, rank: rank,
            reasons: [.testScore(dimension: "sphere.\(subject)", value: 90 - rank, test: "Мои интересы")], text: "Текст \(subject).")
    }

    @Test("generate, edit, publish: the pupil sees only published; a new generation replaces drafts only; another pupil sees nothing")
    func lifecycle() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: .recommendations)
        defer { Task { await pool.shutdown() } }
        let store = RecommendationsStore(pool: pool)
        let pupil = try RecommendationsToken(entropy: Array(repeating: 1, count: 16))
        let other = try RecommendationsToken(entropy: Array(repeating: 2, count: 16))
        let drafts = try await store.replaceDrafts(
            of: pupil, with: [Self.ranked("it", rank: 1), Self.ranked("medicine", rank: 2)], school: "77-1234", region: "77", by: "user:usr_nav")
        #expect(try await store.recommendations(for: pupil, publishedOnly: true).isEmpty)
        let edited = try await store.edit(drafts[0].id, of: pupil, text: "  Новый текст.  ", by: "user:usr_nav")
        #expect(edited.ranked.text == "Новый текст.")
        #expect(edited.ranked.reasons == drafts[0].ranked.reasons)
        #expect(edited.editedBy == "user:usr_nav")
        let published = try await store.publish(drafts[0].id, of: pupil, by: "user:usr_nav")
        #expect(published.status == .published)
        #expect(published.school == "77-1234")
        #expect(try await store.recommendations(for: pupil, publishedOnly: true).map(\.id) == [drafts[0].id])
        // A new generation replaces the remaining draft and keeps the published one.
        let again = try await store.replaceDrafts(of: pupil, with: [Self.ranked("law", rank: 1)], school: nil, region: nil, by: "user:usr_nav")
        let all = try await store.recommendations(for: pupil, publishedOnly: false)
        #expect(Set(all.map(\.id)) == Set([drafts[0].id, again[0].id]))
        // Another pupil's token reaches nothing: not found, the same as an unknown id.
        await #expect(throws: RecommendationsError(.notFound, "no such recommendation of the pupil")) {
            try await store.publish(drafts[1].id, of: other, by: "user:usr_nav")
        }
        await #expect(throws: RecommendationsError(.notFound, "no such recommendation of the pupil")) {
            try await store.edit(again[0].id, of: other, text: "x", by: "user:usr_nav")
        }
        #expect(try await store.recommendations(for: other, publishedOnly: false).isEmpty)
    }

    @Test("a failing record rolls the change back")
    func recordFailure() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: .recommendations)
        defer { Task { await pool.shutdown() } }
        let store = RecommendationsStore(pool: pool)
        let pupil = try RecommendationsToken(entropy: Array(repeating: 3, count: 16))
        struct Refused: Error {}
        await #expect(throws: RecommendationsError(.recordFailed, "the record of the change could not be written")) {
            try await store.replaceDrafts(of: pupil, with: [Self.ranked("it", rank: 1)], school: nil, region: nil, by: "user:usr_nav") { _ in
                throw Refused()
            }
        }
        #expect(try await store.recommendations(for: pupil, publishedOnly: false).isEmpty)
    }

    @Test("opportunities: validated, listed by region while open")
    func opportunities() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: .recommendations)
        defer { Task { await pool.shutdown() } }
        let store = RecommendationsStore(pool: pool)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let added = try await store.addOpportunity(
            region: "77", title: "Олимпиада", sphere: "it", competencies: ["programming"], startsAt: start, endsAt: start.addingTimeInterval(86_400),
            link: "https://example.org/olymp", by: "user:usr_coord")
        _ = try await store.addOpportunity(
            region: "50", title: "Другая", sphere: "it", competencies: [], startsAt: start, endsAt: start, link: "https://example.org/x", by: "user:usr_c")
        #expect(try await store.opportunities(region: "77", openAt: start) == [added])
        #expect(try await store.opportunities(region: "77", openAt: start.addingTimeInterval(2 * 86_400)).isEmpty)
        await #expect(throws: RecommendationsError(.invalidArgument, "link must be an https:// address")) {
            try await store.addOpportunity(
                region: "77", title: "X", sphere: "it", competencies: [], startsAt: start, endsAt: start, link: "javascript:alert(1)", by: "user:usr_c")
        }
    }

    @Test("erase_pupil deletes the token's rows only, and refuses another namespace's token")
    func erasure() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: .recommendations)
        defer { Task { await pool.shutdown() } }
        let store = RecommendationsStore(pool: pool)
        let pupil = try RecommendationsToken(entropy: Array(repeating: 4, count: 16))
        let other = try RecommendationsToken(entropy: Array(repeating: 5, count: 16))
        _ = try await store.replaceDrafts(of: pupil, with: [Self.ranked("it", rank: 1), Self.ranked("law", rank: 2)], school: nil, region: nil, by: "u")
        _ = try await store.replaceDrafts(of: other, with: [Self.ranked("it", rank: 1)], school: nil, region: nil, by: "u")
        let vault = database.components().makePool(for: .vault)
        defer { Task { await vault.shutdown() } }
        let rows = try await vault.query("SELECT item, removed FROM recommendations.erase_pupil(\(pupil.rawValue))")
        #expect(try rows.map { [try $0.decode(String.self, at: 0), String(try $0.decode(Int64.self, at: 1))] } == [["items", "2"]])
        #expect(try await store.recommendations(for: other, publishedOnly: false).count == 1)
        let error = await #expect(throws: PostgresError.self) {
            try await vault.query("SELECT * FROM recommendations.erase_pupil('trl_AAAAAAAAAAAAAAAAAAAAAA')")
        }
        #expect(error?.code == .server(SQLState(rawValue: "22023")))
        // The module role itself may not call it.
        let denied = await #expect(throws: PostgresError.self) {
            try await pool.query("SELECT * FROM recommendations.erase_pupil(\(other.rawValue))")
        }
        #expect(denied?.code == .server(.insufficientPrivilege))
    }
}
