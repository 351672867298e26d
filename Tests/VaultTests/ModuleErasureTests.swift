import Foundation
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// Erasure reaches every module (issue #11, item 5; migration 0690): in the erasure's transaction
/// each module schema's `erase_pupil` deletes the rows of the pupil's pairwise token, the tokens
/// are unlinked, the receipt and the `module.erased` records (counts only) list what went. Since
/// the modules attack review (#5, #6, #7): the shredding never waits for a module (a failing one
/// stays pending and is retried), a sweep after the grace period removes late writes, and the
/// pupil's relationship facts are expired with the erasure.
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

    static func count(_ fixture: VaultFixture, _ sql: SQLStatement) async throws -> Int {
        try await fixture.asSuperuser { pool in try await pool.query(sql).singleValue(Int.self) }
    }

    @Test("a module that fails does not hold back the shredding: queued, pending in the receipt, retried with backoff, done once healthy, swept after the grace")
    func failingModuleDoesNotBlockShredding() async throws {
        let clock = MovableClock()
        let fixture = try await VaultFixture.make(clock: clock.vaultClock)
        let family = try await fixture.family(302, purposes: ["enrolment", "assessment"], now: clock.now)
        let trl = try #require(family.pupil.moduleTokens[.trials]).rawValue
        try await Self.seedModuleRows(fixture, family.pupil)
        // The trials module cannot be reached by the vault (as in an outage or a broken grant).
        try await fixture.asSuperuser { pool in try await pool.execute("REVOKE EXECUTE ON FUNCTION trials.erase_pupil(text) FROM bilet_vault") }

        let receipt = try await fixture.vault.eraseWithReceipt(family.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        #expect(receipt.erased == [family.pupil.token, family.guardian])
        #expect(receipt.modules.map(\.module) == ["assessment", "recommendations", "trials"])
        #expect(receipt.modules.map(\.status) == [.done, .done, .pending])
        #expect(receipt.modules.last?.attempts == 1)
        #expect(receipt.modules.last?.lastErrorCode == "42501")
        // The shredding committed: keys gone, tokens unlinked, erased recorded; the trials rows wait.
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname], purpose: "enrolment", by: Principals.school())
        }
        #expect(error?.code == .subjectErased)
        #expect(try await Self.counts(fixture, family.pupil) == [0, 1, 0, 0])
        #expect(try await fixture.auditRows(kind: "subject.erased").count == 2)
        #expect(try await fixture.auditRows(kind: "module.erased").count == 2)

        // Not due yet (30 s backoff); then due, still failing: attempts grow, due moves further.
        #expect(try await fixture.vault.drainModuleErasures() == ModuleErasureDrain())
        clock.advance(days: 1.0 / 1_440)
        #expect(try await fixture.vault.drainModuleErasures().failed == 1)
        #expect(try await fixture.vault.moduleErasures(of: family.pupil.token).last?.attempts == 2)
        // The module healthy again: the next due drain completes it.
        try await fixture.asSuperuser { pool in try await pool.execute("GRANT EXECUTE ON FUNCTION trials.erase_pupil(text) TO bilet_vault") }
        clock.advance(days: 2.0 / 1_440)
        #expect(try await fixture.vault.drainModuleErasures().erased == 1)
        let status = try await fixture.vault.moduleErasures(of: family.pupil.token)
        #expect(status.map(\.status) == [.done, .done, .done])
        #expect(status.last?.removed == ["attendance": 1, "enrolments": 1])
        #expect(status.last?.lastErrorCode == nil)
        #expect(try await Self.counts(fixture, family.pupil) == [0, 0, 0, 0])
        #expect(try await fixture.auditRows(kind: "module.erased").count == 3)

        // A request that had the token before the erasure writes after the first pass (finding #5).
        try await fixture.asSuperuser { pool in
            try await pool.execute(
                """
                INSERT INTO trials.attendance (event_id, pupil_token, attended, marked_by)
                SELECT id, \(trl), true, 'usr_late' FROM trials.events ORDER BY id LIMIT 1
                """)
        }
        #expect(try await Self.counts(fixture, family.pupil) == [0, 1, 0, 0])
        // The sweep after the grace period removes it, and forgets the tokens.
        clock.advance(days: (Vault.moduleErasureSweepDelay + 60) / 86_400)
        #expect(try await fixture.vault.drainModuleErasures().swept == 3)
        #expect(try await Self.counts(fixture, family.pupil) == [0, 0, 0, 0])
        let swept = try await fixture.vault.moduleErasures(of: family.pupil.token)
        #expect(swept.allSatisfy { $0.swept })
        #expect(swept.last?.removed == ["attendance": 2, "enrolments": 1])
        #expect(try await Self.count(fixture, "SELECT count(*) FROM vault.module_erasures WHERE token IS NOT NULL") == 0)
        // The late row's removal is audited; nothing more is due.
        #expect(try await fixture.auditRows(kind: "module.erased").count == 4)
        clock.advance(days: 1)
        #expect(try await fixture.vault.drainModuleErasures() == ModuleErasureDrain())
        await fixture.shutdown()
    }

    @Test("a tampered seat counter does not abort trials' erasure; the pupil's facts are expired and listed; a promoted pupil gets enrolled_in only if the vault issued it")
    func tamperedCounterFactsAndPromotion() async throws {
        let fixture = try await VaultFixture.make()
        let now = Date()
        let erased = try await fixture.family(303, purposes: ["enrolment", "assessment"])
        let waiting = try await fixture.family(304, purposes: ["enrolment", "assessment"])
        let planted = try await fixture.family(305, purposes: ["enrolment", "assessment"])
        let trl = { (family: Family) in family.pupil.moduleTokens[.trials]!.rawValue }
        // Two events of capacity 1: the erased pupil seated in both, counters set to 0 behind the module's
        // back; in event A a pupil the vault enrolled waits, in event B one the trials module alone put there.
        let events: [Int64] = try await fixture.asSuperuser { pool in
            try await pool.query(
                """
                WITH p AS (INSERT INTO trials.places (venue, name, address, capacity, created_by)
                           VALUES ('77-0042', 'Hall', 'Moscow', 1, 'user:usr_seed') RETURNING id)
                INSERT INTO trials.events (venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, format, status, seated, created_by)
                SELECT '77-0042', '77', 'trial', t, now(), now() + interval '2 hours', p.id, 1, 'it', 'in_person', 'approved', 0, 'user:usr_seed'
                FROM p, unnest(ARRAY['A', 'B']) AS t ORDER BY t RETURNING id
                """
            ).map { try $0.decode(Int64.self, at: 0) }
        }
        let (a, b) = (events[0], events[1])
        // The vault accepted a one-hour window for event A (its runBy); the module's row says two hours (attack review 2 #1).
        let windowEnd = Date(timeIntervalSince1970: now.addingTimeInterval(3_600).timeIntervalSince1970.rounded(.down))
        try await fixture.asSuperuser { pool in
            try await pool.execute(
                """
                INSERT INTO vault.trial_event_venues (event, venue, bound_by, starts_at, ends_at)
                VALUES (\(String(a)), '77-0042', 'user:usr_seed', \(windowEnd.addingTimeInterval(-7_200)), \(windowEnd))
                """)
        }
        try await fixture.asSuperuser { pool in
            for event in [a, b] {
                try await pool.execute(
                    "INSERT INTO trials.enrolments (event_id, pupil_token, state, enrolled_by) VALUES (\(event), \(trl(erased)), 'seated', 'user:usr_n')")
            }
            try await pool.execute(
                "INSERT INTO trials.enrolments (event_id, pupil_token, state, enrolled_by) VALUES (\(a), \(trl(waiting)), 'waiting', 'user:usr_n')")
            try await pool.execute(
                "INSERT INTO trials.enrolments (event_id, pupil_token, state, enrolled_by) VALUES (\(b), \(trl(planted)), 'waiting', 'user:usr_x')")
            for (kind, subject, objectType, object) in [
                ("assigned_navigator", erased.pupil.token.rawValue, "user", "usr_navaaaaaaaaaaaaaaaaaaa"),
                ("enrolled_in", erased.pupil.token.rawValue, "event", String(a)),
                ("enrolled_in", erased.pupil.token.rawValue, "event", String(b)),
                ("enrolment_pending", waiting.pupil.token.rawValue, "event", String(a)),
            ] {
                try await pool.execute(
                    """
                    INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id, valid_from, valid_until)
                    VALUES (\(kind), 'pupil', \(subject), \(objectType), \(object), \(now.addingTimeInterval(-3_600)),
                            \(kind == "enrolment_pending" ? Date?.none : now.addingTimeInterval(86_400)))
                    """)
            }
        }

        let receipt = try await fixture.vault.eraseWithReceipt(erased.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        #expect(receipt.modules.map(\.status) == [.done, .done, .done])
        #expect(receipt.modules.last?.removed == ["attendance": 0, "enrolments": 2])
        #expect(
            receipt.facts == [
                ExpiredFact(kind: "assigned_navigator", object: "user:usr_navaaaaaaaaaaaaaaaaaaa"),
                ExpiredFact(kind: "enrolled_in", object: "event:\(a)"), ExpiredFact(kind: "enrolled_in", object: "event:\(b)"),
            ])
        #expect(
            try await Self.count(
                fixture, "SELECT count(*) FROM policy.relationships WHERE subject_id = \(erased.pupil.token.rawValue) AND expired_at IS NULL") == 0)
        // Both waiting pupils were seated by trials, the counters recomputed.
        #expect(try await Self.count(fixture, "SELECT count(*) FROM trials.enrolments WHERE state = 'seated'") == 2)
        #expect(try await Self.count(fixture, "SELECT sum(seated)::int FROM trials.events") == 2)
        // The vault's fact only for the pupil it had enrolled; the planted one refused and audited.
        #expect(
            try await Self.count(
                fixture,
                """
                SELECT count(*) FROM policy.relationships WHERE kind = 'enrolled_in' AND subject_id = \(waiting.pupil.token.rawValue)
                  AND object_id = \(String(a)) AND expired_at IS NULL AND valid_until = \(windowEnd)
                """) == 1)
        #expect(
            try await Self.count(
                fixture, "SELECT count(*) FROM policy.relationships WHERE kind = 'enrolled_in' AND subject_id = \(planted.pupil.token.rawValue)") == 0)
        #expect(
            try await Self.count(
                fixture,
                """
                SELECT count(*) FROM audit.events WHERE kind = 'policy.decided' AND decision = 'deny' AND subject = \(planted.pupil.token.rawValue)
                  AND payload->>'rule' = 'vault.trials.seat-not-issued'
                """) == 1)
        let recorded = try await fixture.auditRows(kind: "trials.relationship_recorded")
        #expect(recorded.contains { $0.subject == waiting.pupil.token.rawValue && $0.payload.contains(#""change": "recorded""#) })
        #expect(recorded.filter { $0.subject == erased.pupil.token.rawValue }.count == 2)
        #expect(try await fixture.auditRows(kind: "navigator.assignment").count == 1)
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

    @Test("a failed module pass records its failure in its own transaction, under the row lock; erased_at and the sweep's due_at are the database's clock, not the vault process's (attack review 2 #3)")
    func failureIsRecordedUnderTheLockOnTheDatabaseClock() async throws {
        // The vault process's clock an hour behind the database's.
        let clock = MovableClock(Date().addingTimeInterval(-3_600))
        let fixture = try await VaultFixture.make(clock: clock.vaultClock)
        let family = try await fixture.family(306, purposes: ["enrolment", "assessment"], now: clock.now)
        try await Self.seedModuleRows(fixture, family.pupil)
        // The trials module fails; it notes the transaction of the pass in a sequence (not rolled back), and
        // every update of a queue row notes its own.
        try await fixture.asSuperuser { pool in
            try await pool.execute("CREATE SEQUENCE public.pass_xid")
            try await pool.execute("CREATE SEQUENCE public.failure_xid")
            try await pool.execute(
                """
                CREATE OR REPLACE FUNCTION trials.erase_pupil(p_token text)
                RETURNS TABLE (item text, removed bigint, promoted text, promoted_event bigint, promoted_until timestamptz)
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
                BEGIN
                    PERFORM setval('public.pass_xid', txid_current());
                    RAISE EXCEPTION 'the module is down' USING ERRCODE = '55P03';
                END $$
                """)
            try await pool.execute(
                """
                CREATE FUNCTION public.note_failure_xid() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
                BEGIN
                    IF NEW.module = 'trials' THEN PERFORM setval('public.failure_xid', txid_current()); END IF;
                    RETURN NEW;
                END $$
                """)
            try await pool.execute(
                "CREATE TRIGGER note_failure_xid BEFORE UPDATE ON vault.module_erasures FOR EACH ROW EXECUTE FUNCTION public.note_failure_xid()")
        }
        let receipt = try await fixture.vault.eraseWithReceipt(family.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        #expect(receipt.modules.map(\.status) == [.done, .done, .pending])
        #expect(receipt.modules.last?.attempts == 1)
        #expect(receipt.modules.last?.lastErrorCode == "55P03")
        // The failure was written by the transaction of the failed pass itself (the lock was never let go).
        let xids = try await fixture.asSuperuser { pool in
            try await pool.query("SELECT (SELECT last_value FROM public.pass_xid), (SELECT last_value FROM public.failure_xid)").first.map {
                (try $0.decode(Int64.self, at: 0), try $0.decode(Int64.self, at: 1))
            }
        }
        #expect(xids?.0 == xids?.1)
        #expect(xids?.0 != 1)
        // The modules that answered are timed by the database (now), not the vault's clock (an hour behind): the grace is 15 minutes of its clock.
        #expect(
            try await Self.count(
                fixture,
                """
                SELECT count(*) FROM vault.module_erasures
                WHERE module <> 'trials' AND erased_at BETWEEN now() - interval '5 minutes' AND now()
                  AND due_at = erased_at + interval '15 minutes'
                """) == 2)
        await fixture.shutdown()
    }

    @Test("rows a module role planted under another token in the pupil's sessions and assignments do not hold back assessment's erasure; they go with the pupil's (attack review 2 #2)")
    func plantedAssessmentRowsDoNotBlockErasure() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(307, purposes: ["enrolment", "assessment"])
        try await Self.seedModuleRows(fixture, family.pupil)
        let asm = try #require(family.pupil.moduleTokens[.assessment]).rawValue
        let other = "asm_AAAAAAAAAAAAAAAAAAAAAA"
        try await fixture.asSuperuser { pool in
            // An answer and a footprint change of another token in the pupil's session, and a session of another
            // token (with its answer) under the pupil's assignment.
            try await pool.execute(
                """
                INSERT INTO assessment.answers (session_id, pupil_token, question_id, answer, answered_at)
                SELECT id, \(other), 'zz-block', '', now() FROM assessment.sessions WHERE pupil_token = \(asm)
                """)
            try await pool.execute(
                """
                INSERT INTO assessment.footprint_history (pupil_token, dimension, old_value, new_value, source_session, changed_at)
                SELECT \(other), 'it', NULL, 50, id, now() FROM assessment.sessions WHERE pupil_token = \(asm)
                """)
            try await pool.execute(
                """
                WITH s AS (
                    INSERT INTO assessment.sessions (id, assignment_id, pupil_token, attempt, started_at, deadline_at, status, finished_at)
                    SELECT gen_random_uuid(), id, \(other), 2, now(), now(), 'submitted', now() FROM assessment.assignments WHERE pupil_token = \(asm)
                    RETURNING id)
                INSERT INTO assessment.answers (session_id, pupil_token, question_id, answer, answered_at)
                SELECT id, \(other), 'zz-block-2', '', now() FROM s
                """)
        }
        let receipt = try await fixture.vault.eraseWithReceipt(family.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        #expect(receipt.modules.map(\.status) == [.done, .done, .done])
        #expect(receipt.modules.first?.lastErrorCode == nil)
        #expect(receipt.modules.first?.removed["sessions"] == 2)
        #expect(receipt.modules.first?.removed["answers"] == 2)
        #expect(receipt.modules.first?.removed["footprint_history"] == 1)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM assessment.sessions") == 0)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM assessment.answers") == 0)
        await fixture.shutdown()
    }

    @Test("a module's part of an erasure pending for more than an hour is listed as overdue (the pupil, the module, attempts, the error code; no module token) (attack review 2 #2)")
    func overdueModuleErasuresAreListed() async throws {
        let clock = MovableClock()
        let fixture = try await VaultFixture.make(clock: clock.vaultClock)
        let family = try await fixture.family(308, purposes: ["enrolment", "assessment"], now: clock.now)
        try await Self.seedModuleRows(fixture, family.pupil)
        try await fixture.asSuperuser { pool in try await pool.execute("REVOKE EXECUTE ON FUNCTION trials.erase_pupil(text) FROM bilet_vault") }
        _ = try await fixture.vault.eraseWithReceipt(family.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        #expect(try await fixture.vault.overdueModuleErasures().isEmpty)
        clock.advance(days: (Vault.moduleErasureOverdueAfter + 60) / 86_400)
        _ = try await fixture.vault.drainModuleErasures()
        let overdue = try await fixture.vault.overdueModuleErasures()
        #expect(overdue.map(\.subject) == [family.pupil.token])
        #expect(overdue.map(\.module) == ["trials"])
        #expect(overdue.first?.attempts == 2)
        #expect(overdue.first?.lastErrorCode == "42501")
        // Once the module confirms, it is no longer overdue.
        try await fixture.asSuperuser { pool in try await pool.execute("GRANT EXECUTE ON FUNCTION trials.erase_pupil(text) TO bilet_vault") }
        clock.advance(days: 1)
        #expect(try await fixture.vault.drainModuleErasures().erased == 1)
        #expect(try await fixture.vault.overdueModuleErasures().isEmpty)
        await fixture.shutdown()
    }
}
