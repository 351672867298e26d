import DatabaseTestSupport
import Foundation
import PostgreSQL
import Storage
import Testing

/// The KPI's monthly counters (migration 0810): after any mix of changes (registrations,
/// transfers, consents given, withdrawn and renewed, erasure in the vault and in every module,
/// attendance marked and unmarked, an event moved, enrolments' schools, recommendations published
/// and deleted, a rolled-back transaction) every counter equals a recount of the base tables by
/// the KPI's definitions; the backfill counts rows written before the migration; the component
/// roles cannot write their counters.
@Suite("KPI counters")
struct KPICountersTests {
    /// The KPI's definitions over the base tables, as the reports counted before the counters:
    /// one line `schema region scope key month measure n` per non-zero figure.
    static let recount: SQLStatement = """
        SELECT x FROM (
            SELECT concat_ws(' ', 'vault', s.region, k.scope, k.key, to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM'), 'pupils_registered',
                             count(*)) AS x
            FROM vault.subjects s, LATERAL (VALUES ('region', s.region), ('school', s.organisation)) k (scope, key)
            WHERE s.kind = 'pupil' AND s.erased_at IS NULL AND s.region IS NOT NULL AND k.key IS NOT NULL
            GROUP BY s.region, k.scope, k.key, to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM')
            UNION ALL
            SELECT concat_ws(' ', 'vault', s.region, k.scope, k.key, to_char(c.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM'), 'consents_collected',
                             count(DISTINCT s.id))
            FROM vault.consents c JOIN vault.subjects s ON s.id = c.subject_id,
                 LATERAL (VALUES ('region', s.region), ('school', s.organisation)) k (scope, key)
            WHERE c.version = 1 AND s.kind = 'pupil' AND s.erased_at IS NULL AND s.region IS NOT NULL AND k.key IS NOT NULL
            GROUP BY s.region, k.scope, k.key, to_char(c.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM')
            UNION ALL
            SELECT concat_ws(' ', 'assessment', r.region, k.scope, k.key, to_char(r.completed_at AT TIME ZONE 'UTC', 'YYYY-MM'),
                             'tests_completed', count(*))
            FROM assessment.results r, LATERAL (VALUES ('region', r.region), ('school', r.school)) k (scope, key)
            WHERE r.region IS NOT NULL AND k.key IS NOT NULL
            GROUP BY r.region, k.scope, k.key, to_char(r.completed_at AT TIME ZONE 'UTC', 'YYYY-MM')
            UNION ALL
            SELECT concat_ws(' ', 'trials', e.region, k.scope, k.key, to_char(e.ends_at AT TIME ZONE 'UTC', 'YYYY-MM'), 'trials_attended', count(*))
            FROM trials.attendance a JOIN trials.events e ON e.id = a.event_id
            LEFT JOIN trials.enrolments n ON n.event_id = a.event_id AND n.pupil_token = a.pupil_token,
                 LATERAL (VALUES ('region', e.region), ('venue', e.venue), ('school', n.school)) k (scope, key)
            WHERE a.attended AND k.key IS NOT NULL
            GROUP BY e.region, k.scope, k.key, to_char(e.ends_at AT TIME ZONE 'UTC', 'YYYY-MM')
            UNION ALL
            SELECT concat_ws(' ', 'recommendations', i.region, k.scope, k.key, to_char(i.published_at AT TIME ZONE 'UTC', 'YYYY-MM'),
                             'recommendations_delivered', count(DISTINCT i.pupil_token))
            FROM recommendations.items i, LATERAL (VALUES ('region', i.region), ('school', i.school)) k (scope, key)
            WHERE i.status = 'published' AND i.region IS NOT NULL AND k.key IS NOT NULL
            GROUP BY i.region, k.scope, k.key, to_char(i.published_at AT TIME ZONE 'UTC', 'YYYY-MM')
        ) f ORDER BY 1
        """

    /// The counters, in the same lines (zero counters left out).
    static let counters: SQLStatement = """
        SELECT x FROM (
            SELECT concat_ws(' ', 'vault', region, scope, key, to_char(month, 'YYYY-MM'), measure, n) AS x FROM vault.kpi_counters WHERE n <> 0
            UNION ALL
            SELECT concat_ws(' ', 'assessment', region, scope, key, to_char(month, 'YYYY-MM'), measure, n) FROM assessment.kpi_counters WHERE n <> 0
            UNION ALL
            SELECT concat_ws(' ', 'trials', region, scope, key, to_char(month, 'YYYY-MM'), measure, n) FROM trials.kpi_counters WHERE n <> 0
            UNION ALL
            SELECT concat_ws(' ', 'recommendations', region, scope, key, to_char(month, 'YYYY-MM'), measure, n)
            FROM recommendations.kpi_counters WHERE n <> 0
        ) f ORDER BY 1
        """

    static func lines(_ pool: PostgresConnectionPool, _ statement: SQLStatement) async throws -> [String] {
        try await pool.query(statement).map { try $0.decode(String.self, at: 0) }
    }

    /// Expects the counters to equal the recount, naming the step.
    static func expectConsistent(_ pool: PostgresConnectionPool, _ step: String) async throws {
        let recounted = try await lines(pool, recount)
        let counted = try await lines(pool, counters)
        #expect(counted == recounted, "after \(step): counters \(Set(counted).subtracting(recounted)), recount \(Set(recounted).subtracting(counted))")
    }

    static func figure(_ pool: PostgresConnectionPool, _ schema: String, _ prefix: String) async throws -> Int {
        let all = try await lines(pool, counters)
        guard let line = all.first(where: { $0.hasPrefix("\(schema) \(prefix) ") }) else { return 0 }
        return Int(line.split(separator: " ").last ?? "") ?? -1
    }

    /// Pupils 1-40 of region 77 (schools 77-0001..77-0003 by g % 3) and 41-48 of region 50, registered
    /// over four months; a guardian and a staff member; first-version consents for pupils 1-30
    /// (two purposes each for 1-10), a renewal (version 2) for pupil 1.
    static let seedVault: [SQLStatement] = [
        """
        INSERT INTO vault.subjects (id, created_at, kind, token, organisation_type, organisation, region, data_key, kek_version, created_by)
        SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, date_trunc('month', now()) - ((g % 4) || ' months')::interval + interval '1 day',
               'pupil', 'sub_' || lpad(g::text, 22, 'B'), 'school',
               CASE WHEN g <= 40 THEN '77-000' || (g % 3 + 1) ELSE '50-0001' END, CASE WHEN g <= 40 THEN '77' ELSE '50' END,
               '\\x00'::bytea, 1, 'test'
        FROM generate_series(1, 48) g
        """,
        """
        INSERT INTO vault.subjects (id, kind, token, organisation_type, organisation, region, data_key, kek_version, created_by, pupil_id)
        VALUES ('00000000-0000-4000-8000-0000000000f1', 'guardian', 'sub_GGGGGGGGGGGGGGGGGGGGG1', NULL, NULL, NULL, '\\x00', 1, 'test',
                '00000000-0000-4000-8000-000000000001'),
               ('00000000-0000-4000-8000-0000000000f2', 'staff', 'sub_GGGGGGGGGGGGGGGGGGGGG2', 'school', '77-0001', '77', '\\x00', 1, 'test', NULL)
        """,
        """
        INSERT INTO vault.consents (id, token, series, version, subject_id, given_by, operator, purpose, data_fields, actions, valid_from,
                                    withdrawal_method, signed_on, collection, state, recorded_at, recorded_by)
        SELECT ('00000000-0000-4000-c000-' || lpad(to_hex(g * 10 + p), 12, '0'))::uuid, 'cns_' || lpad((g * 10 + p)::text, 22, 'C'),
               ('00000000-0000-4000-d000-' || lpad(to_hex(g * 10 + p), 12, '0'))::uuid, 1,
               ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'self', 'test',
               CASE p WHEN 1 THEN 'recommendation' ELSE 'event_attendance' END, ARRAY['grade'], ARRAY['store'], now() - interval '400 days',
               'written', current_date, 'paper', 'active', date_trunc('month', now()) - (((g + p) % 3) || ' months')::interval + interval '2 days', 'test'
        FROM generate_series(1, 30) g, generate_series(1, 2) p WHERE p = 1 OR g <= 10
        """,
        """
        INSERT INTO vault.consents (id, token, series, version, subject_id, given_by, operator, purpose, data_fields, actions, valid_from,
                                    withdrawal_method, signed_on, collection, state, recorded_at, recorded_by)
        VALUES ('00000000-0000-4000-c000-0000000fffff', 'cns_RRRRRRRRRRRRRRRRRRRRRR', '00000000-0000-4000-d000-00000000000b', 2,
                '00000000-0000-4000-8000-000000000001', 'self', 'test', 'recommendation', ARRAY['grade'], ARRAY['store'], now() - interval '1 day',
                'written', current_date, 'paper', 'active', now(), 'test')
        """,
    ]

    /// A test per pupil 1-40 (region 77; pupils 1-4 without a school, 5 without a region); three
    /// events of venue 77-V01 and one of 77-V02 with enrolments (schools) and attendance; drafts
    /// and published recommendations, several per pupil and month.
    static let seedModules: [SQLStatement] = [
        """
        INSERT INTO assessment.tests (code, version, title, definition, time_limit_seconds, max_attempts, state, uploaded_by, uploaded_at,
                                      published_by, published_at)
        VALUES ('kpi', 1, 'KPI', '{}', 600, 1, 'published', 'test', now(), 'test', now())
        """,
        """
        INSERT INTO assessment.assignments (id, pupil_token, test_code, test_version, assigned_by, assigned_at)
        SELECT ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid, 'asm_' || lpad(g::text, 22, 'D'), 'kpi', 1, 'test', now()
        FROM generate_series(1, 40) g
        """,
        """
        INSERT INTO assessment.sessions (id, assignment_id, pupil_token, attempt, started_at, deadline_at, status, finished_at)
        SELECT ('00000000-0000-4000-a000-' || lpad(to_hex(g), 12, '0'))::uuid, ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid,
               'asm_' || lpad(g::text, 22, 'D'), 1, now(), now(), 'submitted', now()
        FROM generate_series(1, 40) g
        """,
        """
        INSERT INTO assessment.results (session_id, pupil_token, test_code, test_version, scores, answered, questions, outcome, completed_at,
                                        school, region)
        SELECT ('00000000-0000-4000-a000-' || lpad(to_hex(g), 12, '0'))::uuid, 'asm_' || lpad(g::text, 22, 'D'), 'kpi', 1, '{}', 0, 0,
               'submitted', date_trunc('month', now()) - ((g % 2) || ' months')::interval + interval '3 days',
               CASE WHEN g <= 4 THEN NULL ELSE '77-000' || (g % 3 + 1) END, CASE WHEN g = 5 THEN NULL ELSE '77' END
        FROM generate_series(1, 40) g
        """,
        """
        INSERT INTO trials.places (venue, name, address, capacity, created_by)
        VALUES ('77-V01', 'Hall', 'Synthetic street', 1000, 'test'), ('77-V02', 'Hall', 'Synthetic street', 1000, 'test')
        """,
        """
        INSERT INTO trials.events (venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, format, status, seated, created_by)
        SELECT p.venue, '77', 'trial', 'Trial ' || m, date_trunc('month', now()) - (m || ' months')::interval + interval '4 days',
               date_trunc('month', now()) - (m || ' months')::interval + interval '5 days', p.id, 1000, 'it', 'in_person', 'approved', 12, 'test'
        FROM trials.places p CROSS JOIN generate_series(0, 1) m
        """,
        """
        INSERT INTO trials.enrolments (event_id, pupil_token, state, enrolled_by, school)
        SELECT e.id, 'trl_' || lpad(g::text, 22, 'E'), 'seated', 'test', CASE WHEN g % 5 = 0 THEN NULL ELSE '77-000' || (g % 3 + 1) END
        FROM trials.events e CROSS JOIN generate_series(1, 12) g
        """,
        """
        INSERT INTO trials.attendance (event_id, pupil_token, attended, grade, marked_by)
        SELECT event_id, pupil_token, right(pupil_token, 1)::int % 4 <> 0, NULL, 'test' FROM trials.enrolments
        """,
        """
        INSERT INTO recommendations.items (pupil_token, kind, subject, title, score, rank, reasons, text, status, school, region,
                                           generated_by, published_by, published_at)
        SELECT 'rec_' || lpad(g::text, 22, 'F'), 'sphere', 'it' || r, 'IT', 80, r, '[]', 'Текст.', CASE WHEN g <= 20 THEN 'published' ELSE 'draft' END,
               '77-000' || (g % 3 + 1), '77', 'test', CASE WHEN g <= 20 THEN 'test' END,
               CASE WHEN g <= 20 THEN date_trunc('month', now()) - ((g % 2) || ' months')::interval + interval '6 days' END
        FROM generate_series(1, 30) g, generate_series(1, 3) r
        """,
    ]

    @Test("the backfill counts rows written before 0810, and every change keeps counters equal to a recount")
    func countersEqualRecount() async throws {
        let database = try await TestPostgres.makeDatabase()
        let bundled = try Migrator.bundled()
        let before = try Migrator(migrations: bundled.migrations.filter { $0.version < 810 })
        try await database.migrate(before)
        try await database.withPool { pool in
            for statement in Self.seedVault + Self.seedModules { _ = try await pool.execute(statement) }
        }
        try await database.migrate(bundled)
        try await database.withPool { pool in
            // The backfill.
            #expect(try await Self.lines(pool, Self.counters).count > 40)
            try await Self.expectConsistent(pool, "backfill")
            let month = try await Self.lines(pool, "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM')")[0]
            // 40 pupils of region 77 registered over four months: g % 4 = 0 this month (10).
            #expect(try await Self.figure(pool, "vault", "77 region 77 \(month) pupils_registered") == 10)

            // Statement by statement from here.
            let steps: [(String, SQLStatement)] = [
                (
                    "more pupils and consents, in one statement each",
                    """
                    INSERT INTO vault.subjects (id, kind, token, organisation_type, organisation, region, data_key, kek_version, created_by)
                    SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'pupil', 'sub_' || lpad(g::text, 22, 'B'), 'school',
                           '77-0001', '77', '\\x00', 1, 'test'
                    FROM generate_series(100, 105) g
                    """
                ),
                (
                    "their consents",
                    """
                    INSERT INTO vault.consents (id, token, series, version, subject_id, given_by, operator, purpose, data_fields, actions, valid_from,
                                                withdrawal_method, signed_on, collection, state, recorded_by)
                    SELECT ('00000000-0000-4000-c000-' || lpad(to_hex(g * 10 + p), 12, '0'))::uuid, 'cns_' || lpad((g * 10 + p)::text, 22, 'C'),
                           ('00000000-0000-4000-d000-' || lpad(to_hex(g * 10 + p), 12, '0'))::uuid, 1,
                           ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'self', 'test',
                           CASE p WHEN 1 THEN 'recommendation' ELSE 'event_attendance' END, ARRAY['grade'], ARRAY['store'],
                           now() - interval '400 days', 'written', current_date, 'paper', 'active', 'test'
                    FROM generate_series(100, 105) g, generate_series(1, 2) p
                    """
                ),
                (
                    "a withdrawal",
                    "UPDATE vault.consents SET state = 'withdrawn', state_changed_at = now(), withdrawn_by = 'test' WHERE subject_id = '00000000-0000-4000-8000-000000000064'"
                ),
                (
                    "a transfer to another school and region",
                    "UPDATE vault.subjects SET organisation = '50-0001', region = '50' WHERE id = '00000000-0000-4000-8000-000000000007'"
                ),
                (
                    "an erasure in the vault",
                    """
                    UPDATE vault.subjects SET data_key = NULL, kek_version = NULL, erased_at = now()
                    WHERE id IN ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000065')
                    """
                ),
                ("a result erased", "SELECT count(*) FROM assessment.erase_pupil('asm_DDDDDDDDDDDDDDDDDDDDD6')"),
                ("trials erased (attendance, then enrolments)", "SELECT count(*) FROM trials.erase_pupil('trl_EEEEEEEEEEEEEEEEEEEEE2')"),
                ("recommendations erased", "SELECT count(*) FROM recommendations.erase_pupil('rec_FFFFFFFFFFFFFFFFFFFFF3')"),
                ("attendance unmarked", "UPDATE trials.attendance SET attended = false WHERE pupil_token = 'trl_EEEEEEEEEEEEEEEEEEEEE1'"),
                ("attendance marked", "UPDATE trials.attendance SET attended = true WHERE pupil_token = 'trl_EEEEEEEEEEEEEEEEEEEEE4'"),
                ("an enrolment's school set", "UPDATE trials.enrolments SET school = '77-0003' WHERE pupil_token = 'trl_EEEEEEEEEEEEEEEEEEEE10'"),
                ("an enrolment gone before its attendance", "DELETE FROM trials.enrolments WHERE pupil_token = 'trl_EEEEEEEEEEEEEEEEEEEE11'"),
                (
                    "an event moved a month and to another venue",
                    """
                    UPDATE trials.events SET starts_at = starts_at - interval '1 month', ends_at = ends_at - interval '1 month', venue = '77-V02'
                    WHERE id = (SELECT min(id) FROM trials.events)
                    """
                ),
                ("seats counted (nothing moves)", "UPDATE trials.events SET seated = seated + 1"),
                (
                    "drafts published, one pupil twice in a month",
                    "UPDATE recommendations.items SET status = 'published', published_by = 'test', published_at = now() WHERE pupil_token IN ('rec_FFFFFFFFFFFFFFFFFFFF21', 'rec_FFFFFFFFFFFFFFFFFFFF22')"
                ),
                ("one published item of a pupil deleted", "DELETE FROM recommendations.items WHERE pupil_token = 'rec_FFFFFFFFFFFFFFFFFFFF21' AND rank = 1"),
                (
                    "a result with a school of its own",
                    "UPDATE assessment.results SET school = '77-0002' WHERE pupil_token = 'asm_DDDDDDDDDDDDDDDDDDDDD1'"
                ),
            ]
            for (step, statement) in steps {
                _ = try await pool.query(statement)
                try await Self.expectConsistent(pool, step)
            }

            // The definitions: a withdrawn consent still counts in its month; an erased pupil in none.
            let withdrawn = try await Self.lines(
                pool, "SELECT count(*)::text FROM vault.consents WHERE subject_id = '00000000-0000-4000-8000-000000000064' AND state = 'withdrawn'")
            #expect(withdrawn == ["2"])
            #expect(try await Self.figure(pool, "vault", "77 school 77-0001 \(month) consents_collected") >= 5)
            // 77-0001 this month: pupils g % 3 = 0, g % 4 = 0 of 1-40 (12, 24, 36), plus 100-105 but 101 erased (0x65).
            #expect(try await Self.figure(pool, "vault", "77 school 77-0001 \(month) pupils_registered") == 8)

            // A rolled-back change moves nothing.
            let rows = try await Self.lines(pool, Self.counters)
            await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    _ = try await connection.execute("DELETE FROM assessment.results WHERE region = '77'")
                    _ = try await connection.execute("SELECT 1 / 0")
                }
            }
            #expect(try await Self.lines(pool, Self.counters) == rows)

            // The rebuild agrees with the triggers.
            for schema: SQLStatement in [
                "SELECT vault.kpi_rebuild()", "SELECT assessment.kpi_rebuild()", "SELECT trials.kpi_rebuild()", "SELECT recommendations.kpi_rebuild()",
            ] {
                _ = try await pool.query(schema)
            }
            #expect(try await Self.lines(pool, Self.counters) == rows)
        }
    }

    @Test("two registrations of one region and month on different connections do not queue on one counter row")
    func concurrentChangesDoNotQueue() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        func register(_ number: Int, on connection: PostgresConnection) async throws {
            _ = try await connection.execute(
                """
                INSERT INTO vault.subjects (id, kind, token, organisation_type, organisation, region, data_key, kek_version, created_by)
                VALUES (\(UUID().uuidString.lowercased())::uuid, 'pupil', \("sub_" + String(repeating: "Q", count: 21) + String(number)), 'school',
                        '77-0001', '77', '\\x00'::bytea, 1, 'test')
                """)
        }
        // Two connections whose counters fall in different slots (pg_backend_pid() % 16).
        let first = PostgresConnectionPool(configuration: database.configuration, maxConnections: 1)
        let firstSlot = try await first.query("SELECT pg_backend_pid() % 16").singleValue(Int.self)
        var second: PostgresConnectionPool?
        for _ in 0..<40 where second == nil {
            let candidate = PostgresConnectionPool(configuration: database.configuration, maxConnections: 1)
            if try await candidate.query("SELECT pg_backend_pid() % 16").singleValue(Int.self) != firstSlot {
                second = candidate
            } else {
                await candidate.shutdown()
            }
        }
        let other = try #require(second)
        // The first registration stays uncommitted while the second, with a 2 s lock timeout, must not wait for it.
        let (held, release) = AsyncStream.makeStream(of: Void.self)
        let (started, begin) = AsyncStream.makeStream(of: Void.self)
        async let holding: Void = first.withTransaction { connection in
            try await register(1, on: connection)
            begin.yield()
            for await _ in held { break }
        }
        for await _ in started { break }
        try await other.withTransaction { connection in
            _ = try await connection.execute("SET LOCAL lock_timeout = '2s'")
            try await register(2, on: connection)
        }
        release.yield()
        try await holding
        let month = try await first.query("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM')").singleValue(String.self)
        #expect(try await Self.figure(first, "vault", "77 region 77 \(month) pupils_registered") == 2)
        #expect(try await first.query("SELECT count(*) FROM vault.kpi_counter_slots WHERE scope = 'region' AND n > 0").singleValue(Int.self) == 2)
        await first.shutdown()
        await other.shutdown()
    }

    @Test("component roles read their counters and cannot write them")
    func countersReadOnly() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let components = database.components()
        let cases: [(Component, SQLStatement, SQLStatement)] = [
            (.vault, "SELECT count(*) FROM vault.kpi_counters", "UPDATE vault.kpi_counter_slots SET n = n + 1"),
            (.assessment, "SELECT count(*) FROM assessment.kpi_counters", "UPDATE assessment.kpi_counter_slots SET n = n + 1"),
            (.trials, "SELECT count(*) FROM trials.kpi_counters", "UPDATE trials.kpi_counter_slots SET n = n + 1"),
            (.recommendations, "SELECT count(*) FROM recommendations.kpi_counters", "UPDATE recommendations.kpi_counter_slots SET n = n + 1"),
        ]
        for (component, read, write) in cases {
            let pool = components.makePool(for: component)
            _ = try await pool.query(read)
            let error = await #expect(throws: PostgresError.self) { _ = try await pool.execute(write) }
            #expect(error?.code == .server(.insufficientPrivilege), "\(component)")
            await pool.shutdown()
        }
        // Another module's counters are closed.
        let trials = components.makePool(for: .trials)
        let error = await #expect(throws: PostgresError.self) { _ = try await trials.query("SELECT count(*) FROM assessment.kpi_counters") }
        #expect(error?.code == .server(.insufficientPrivilege))
        await trials.shutdown()
    }
}
