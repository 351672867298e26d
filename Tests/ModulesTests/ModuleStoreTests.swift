import Assessment
import DatabaseTestSupport
import Foundation
import PostgreSQL
import Recommendations
import Storage
import Testing
import Tokens
import Trials

/// The modules' minimal stores, each keyed by its own pairwise token and reached through its own
/// database role; and invariant 3 for them: a module role reads neither the vault nor another
/// module's tables.
@Suite("Module stores and their roles")
struct ModuleStoreTests {
    static func token<T: OpaqueToken>(_ type: T.Type, _ byte: UInt8) throws -> T {
        try T(entropy: Array(repeating: byte, count: 16))
    }

    @Test("recommendations round-trip by recommendations token")
    func recommendations() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: .recommendations)
        let store = RecommendationsStore(pool: pool)
        let pupil = try Self.token(RecommendationsToken.self, 4)
        let ranked = RankedRecommendation(
            kind: .sphere, subject: "it", title: "Информационные технологии", score: 80, rank: 1,
            reasons: [.testScore(dimension: "sphere.it", value: 80, test: nil)], text: "Текст.")
        let stored = try await store.replaceDrafts(of: pupil, with: [ranked], school: nil, region: nil, by: "user:usr_nav")
        #expect(try await store.recommendations(for: pupil, publishedOnly: false).map(\.ranked) == [ranked])
        #expect(stored.map(\.status) == [.draft])
        await pool.shutdown()
    }

    @Test("a module table refuses another namespace's token")
    func foreignTokenRefused() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: .trials)
        let error = await #expect(throws: PostgresError.self) {
            try await pool.execute(
                "INSERT INTO trials.attendance (event_id, pupil_token, attended, marked_by) VALUES (1, 'asm_AAAAAAAAAAAAAAAAAAAAAA', true, 'user:usr_x')")
        }
        #expect(error?.code == .server(.checkViolation))
        await pool.shutdown()
    }

    static let vaultTables = [
        "vault.subjects", "vault.fields", "vault.module_tokens", "vault.blind_indexes", "vault.consents",
        "vault.consent_documents", "vault.keks", "vault.seal", "vault.rotations", "vault.destruction_deadlines",
        "vault.destruction_register",
    ]
    static let moduleComponents: [Component] = [.assessment, .trials, .recommendations]

    @Test("module roles cannot read any vault table", arguments: moduleComponents, vaultTables)
    func vaultClosedToModules(component: Component, table: String) async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: component)
        let error = await #expect(throws: PostgresError.self) {
            switch table {
            case "vault.subjects": try await pool.query("SELECT * FROM vault.subjects")
            case "vault.fields": try await pool.query("SELECT * FROM vault.fields")
            case "vault.module_tokens": try await pool.query("SELECT * FROM vault.module_tokens")
            case "vault.blind_indexes": try await pool.query("SELECT * FROM vault.blind_indexes")
            case "vault.consents": try await pool.query("SELECT * FROM vault.consents")
            case "vault.consent_documents": try await pool.query("SELECT * FROM vault.consent_documents")
            case "vault.keks": try await pool.query("SELECT * FROM vault.keks")
            case "vault.seal": try await pool.query("SELECT * FROM vault.seal")
            case "vault.rotations": try await pool.query("SELECT * FROM vault.rotations")
            case "vault.destruction_deadlines": try await pool.query("SELECT * FROM vault.destruction_deadlines")
            default: try await pool.query("SELECT * FROM vault.destruction_register")
            }
        }
        #expect(error?.code == .server(.insufficientPrivilege))
        await pool.shutdown()
    }

    static let moduleTables: [(Component, String)] = [
        (.assessment, "assessment.results"), (.trials, "trials.attendance"), (.recommendations, "recommendations.items"),
    ]

    @Test("a module role cannot read another module's table", arguments: moduleComponents, [0, 1, 2])
    func modulesApart(component: Component, tableIndex: Int) async throws {
        let (owner, table) = Self.moduleTables[tableIndex]
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: component)
        let statement: SQLStatement = switch table {
        case "assessment.results": "SELECT count(*) FROM assessment.results"
        case "trials.attendance": "SELECT count(*) FROM trials.attendance"
        default: "SELECT count(*) FROM recommendations.items"
        }
        if owner == component {
            #expect(try await pool.query(statement).singleValue(Int.self) == 0)
        } else {
            let error = await #expect(throws: PostgresError.self) { try await pool.query(statement) }
            #expect(error?.code == .server(.insufficientPrivilege))
        }
        await pool.shutdown()
    }
}
