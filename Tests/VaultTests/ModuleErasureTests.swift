import Foundation
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// Erasure reaches every module (issue #11, item 5; migration 0690): in the erasure's transaction
/// each module schema's `erase_pupil` deletes the rows of the pupil's pairwise token, the tokens
/// are unlinked, the receipt and the `module.erased` records (counts only) list what went; a module
/// that fails rolls the whole erasure back.
@Suite("Erasure reaches every module")
struct ModuleErasureTests {
    /// One row per module for `pupil` (in assessment an assignment, its session and result), written
    /// as the modules write them (their own tokens only).
    static func seedModuleRows(_ fixture: VaultFixture, _ pupil: RegisteredSubject, rows: Int = 1) async throws {
        let asm = try #require(pupil.moduleTokens[.assessment]).rawValue
        let trl = try #require(pupil.moduleTokens[.trials]).rawValue
        let rec = try #require(pupil.moduleTokens[.recommendations]).rawValue
        try await fixture.asSuperuser { pool in
            // Assessment (0700): a published test, and per row an assignment, its submitted session and result.
            try await pool.execute(
                """
                INSERT INTO assessment.tests (code, version, title, definition, time_limit_seconds, max_attempts, state, uploaded_by,
                                              uploaded_at, published_by, published_at)
                VALUES ('erasure-fixture', 1, 'Fixture', '{}', 600, 10, 'published', 'usr_m', now(), 'usr_m', now())
                ON CONFLICT DO NOTHING
                """)
            for _ in 0..<rows {
                try await pool.execute(
                    """
                    WITH a AS (
                        INSERT INTO assessment.assignments (id, pupil_token, test_code, test_version, assigned_by, assigned_at)
                        VALUES (gen_random_uuid(), \(asm), 'erasure-fixture', 1, 'usr_n', now()) RETURNING id),
                    s AS (
                        INSERT INTO assessment.sessions (id, assignment_id, pupil_token, attempt, started_at, deadline_at, status, finished_at)
                        SELECT gen_random_uuid(), a.id, \(asm), 1, now(), now(), 'submitted', now() FROM a RETURNING id)
                    INSERT INTO assessment.results (session_id, pupil_token, test_code, test_version, scores, answered, questions, outcome, completed_at)
                    SELECT s.id, \(asm), 'erasure-fixture', 1, '{}', 0, 0, 'submitted', now() FROM s
                    """)
                // Trials (0710): an event of its own, the pupil seated and marked.
                try await pool.execute(
                    """
                    WITH p AS (
                        INSERT INTO trials.places (venue, name, address, capacity, created_by)
                        VALUES ('77-0042', 'Hall', 'Moscow', 100, 'user:usr_seed') RETURNING id
                    ), e AS (
                        INSERT INTO trials.events (venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, format,
                                                   status, seated, created_by)
                        SELECT '77-0042', '77', 'trial', 'Trial', now(), now() + interval '2 hours', p.id, 10, 'it', 'in_person',
                               'approved', 1, 'user:usr_seed' FROM p RETURNING id
                    ), n AS (
                        INSERT INTO trials.enrolments (event_id, pupil_token, state, enrolled_by) SELECT e.id, \(trl), 'seated', 'user:usr_seed' FROM e
                    )
                    INSERT INTO trials.attendance (event_id, pupil_token, attended, marked_by) SELECT e.id, \(trl), true, 'usr_seed' FROM e
                    """)
                try await pool.execute(
                    """
                    INSERT INTO recommendations.items (pupil_token, kind, subject, title, score, rank, reasons, text, generated_by)
                    VALUES (\(rec), 'sphere', 'it', 'IT', 80, 1, '[]', 'Text.', 'user:usr_seed')
                    """)
            }
        }
    }

    /// The rows of `pupil`'s tokens in each module, and its rows in vault.module_tokens.
    static func counts(_ fixture: VaultFixture, _ pupil: RegisteredSubject) async throws -> [Int] {
        let asm = pupil.moduleTokens[.assessment]!.rawValue
        let trl = pupil.moduleTokens[.trials]!.rawValue
        let rec = pupil.moduleTokens[.recommendations]!.rawValue
        return try await fixture.asSuperuser { pool in
            [
                try await pool.query("SELECT count(*) FROM assessment.results WHERE pupil_token = \(asm)").singleValue(Int.self),
                try await pool.query("SELECT count(*) FROM trials.attendance WHERE pupil_token = \(trl)").singleValue(Int.self),
                try await pool.query("SELECT count(*) FROM recommendations.items WHERE pupil_token = \(rec)").singleValue(Int.self),
                try await pool.query(
                    "SELECT count(*) FROM vault.module_tokens WHERE token IN (\(asm), \(trl), \(rec))").singleValue(Int.self),
            ]
        }
    }

    @Test("a pupil's erasure deletes their rows in every module and unlinks their tokens; another pupil's stay; the receipt and the audit list them")
    func erasureReachesEveryModule() async throws {
        let fixture = try await VaultFixture.make()
        let erased = try await fixture.family(300, purposes: ["enrolment", "assessment"])
        let kept = try await fixture.family(301, purposes: ["enrolment", "assessment"])
        try await Self.seedModuleRows(fixture, erased.pupil, rows: 2)
        try await Self.seedModuleRows(fixture, kept.pupil, rows: 1)
        #expect(try await Self.counts(fixture, erased.pupil) == [2, 2, 2, 3])

        let receipt = try await fixture.vault.eraseWithReceipt(erased.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        #expect(receipt.erased == [erased.pupil.token, erased.guardian])
        #expect(
            receipt.modules == [
                ModuleErasure(
                    module: "assessment",
                    removed: ["results": 2, "sessions": 2, "assignments": 2, "answers": 0, "footprint": 0, "footprint_history": 0]),
                ModuleErasure(module: "recommendations", removed: ["items": 2]),
                ModuleErasure(module: "trials", removed: ["attendance": 2, "enrolments": 2]),
            ])
        #expect(try await Self.counts(fixture, erased.pupil) == [0, 0, 0, 0])
        #expect(try await Self.counts(fixture, kept.pupil) == [1, 1, 1, 3])

        let records = try await fixture.auditRows(kind: "module.erased")
        #expect(records.count == 3)
        #expect(records.allSatisfy { $0.subject == erased.pupil.token.rawValue && $0.actor == "user:usr_operator" })
        #expect(records.map(\.payload).contains { $0.contains(#""module": "trials""#) && $0.contains(#""removed_count": 4"#) })
        // Counts and item names only: no module token reaches the audit record.
        for token in erased.pupil.moduleTokens.values { #expect(!records.contains { $0.payload.contains(token.rawValue) }) }
        // The kept pupil's module token still resolves.
        let read = try await fixture.vault.read(
            .module(kept.pupil.moduleTokens[.assessment]!), fields: [.grade], purpose: "assessment", by: Principals.service(.assessment))
        #expect(read.fields[.grade] != nil)
        await fixture.shutdown()
    }

    @Test("a module whose erasure fails rolls the whole erasure back: nothing erased, no record, the pupil still readable")
    func failingModuleRollsBack() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(302, purposes: ["enrolment", "assessment"])
        try await Self.seedModuleRows(fixture, family.pupil)
        // A module's function that fails (as a broken module migration would).
        try await fixture.asSuperuser { pool in
            try await pool.execute(
                """
                CREATE OR REPLACE FUNCTION trials.erase_pupil(p_token text) RETURNS TABLE (item text, removed bigint)
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, trials AS $$
                BEGIN RAISE EXCEPTION 'trials cannot erase now'; END; $$
                """)
        }
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.eraseWithReceipt(family.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        }
        #expect(error?.code == .storage)
        #expect(try await Self.counts(fixture, family.pupil) == [1, 1, 1, 3])
        #expect(try await fixture.auditRows(kind: "subject.erased").isEmpty)
        #expect(try await fixture.auditRows(kind: "module.erased").isEmpty)
        let card = try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname], purpose: "enrolment", by: Principals.school())
        #expect(card.fields[.surname] != nil)
        await fixture.shutdown()
    }

    @Test("the modules' erase functions take only their own namespace's tokens and only the vault may call them")
    func eraseFunctionsAreNarrow() async throws {
        let fixture = try await VaultFixture.make()
        try await fixture.asSuperuser { pool in
            for (schema, foreign) in [("assessment", "trl_AAAAAAAAAAAAAAAAAAAAAA"), ("trials", "asm_AAAAAAAAAAAAAAAAAAAAAA"),
                                      ("recommendations", "sub_AAAAAAAAAAAAAAAAAAAAAA")] {
                let name = try SQLIdentifier(schema)
                let error = await #expect(throws: PostgresError.self) {
                    try await pool.query("SELECT * FROM \(identifier: name).erase_pupil(\(foreign))")
                }
                #expect(error?.code == .server(SQLState(rawValue: "22023")), "\(schema)")
                for role in ["bilet_assessment", "bilet_trials", "bilet_recommendations", "bilet_gateway"] {
                    let allowed = try await pool.query(
                        "SELECT has_function_privilege(\(role), \("\(schema).erase_pupil(text)"), 'EXECUTE')").singleValue(Bool.self)
                    #expect(!allowed, "\(role) on \(schema)")
                }
                #expect(try await pool.query(
                    "SELECT has_function_privilege('bilet_vault', \("\(schema).erase_pupil(text)"), 'EXECUTE')").singleValue(Bool.self))
            }
        }
        await fixture.shutdown()
    }
}
