import ArgumentParser
import Assessment
import Foundation
import Logging
import Platform
import PostgreSQL
import Recommendations
import RecommendationsHTTP
import Storage
import Trials
import Vault
import VaultDoor

/// `bilet-bench kpi`: the latency of one KPI report's queries on a seeded dataset: the vault's
/// counts (``Vault/kpiCountsQuery(organisation:region:since:)`` as `bilet_vault`) and the
/// modules' counts (``KPIDesk/moduleCounts(scope:id:region:since:into:)``, each module through its
/// own role), for region, school and venue scopes in turn. The policy decision and the door's
/// round trip are not included.
struct KPIBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kpi",
        abstract: "Measures KPI query latency (p50/p99) on a seeded dataset of synthetic pupils.",
        discussion: """
            Creates a throwaway database next to bilet's own, seeds `--pupils` synthetic pupils of region 77 over \
            100 schools (vault subjects with a consent each, an assessment result, a trial attended at one of 10 venues \
            and a published recommendation each, spread over the last 12 months), then runs `--queries` reports \
            cycling region, school and venue scopes. Target: p99 at most 50 ms.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Synthetic pupils.")
    var pupils: Int = 100_000

    @Option(help: "Reports to measure.")
    var queries: Int = 300

    @Flag(help: "Keep the benchmark database afterwards.")
    var keepDatabase = false

    func validate() throws {
        guard pupils > 0, queries > 0 else { throw ValidationError("pupils and queries positive") }
    }

    func run() async throws {
        let settings = try await options.load()
        ProcessLogging.bootstrap(settings.log)
        let logger = Logger(label: "bilet.bench.kpi")
        #if DEBUG
            print("warning: debug build; measure with `swift build -c release --product bilet-bench` for real numbers")
        #endif
        try await BenchDatabase.withThrowaway(settings.database, prefix: "bilet_bench_kpi_", keep: keepDatabase, logger: logger) {
            try await measure(base: $0, passwords: $1)
        }
    }

    private func measure(base: PostgresConfiguration, passwords: [Component: String]) async throws {
        let owner = PostgresConnectionPool(configuration: base, maxConnections: 1)
        let seeding = ContinuousClock.now
        for statement in Self.seed(pupils: pupils) { try await owner.execute(statement) }
        try await owner.execute("ANALYZE")
        await owner.shutdown()
        print(String(format: "seeded %d pupils in %.1f s", pupils, Self.milliseconds(ContinuousClock.now - seeding) / 1000))

        let components = ComponentDatabase(base: base, maxConnectionsPerComponent: 2, passwords: passwords)
        let vault = components.makePool(for: .vault)
        let assessment = components.makePool(for: .assessment)
        let trials = components.makePool(for: .trials)
        let recommendations = components.makePool(for: .recommendations)
        let desk = KPIDesk(
            recommendations: RecommendationsStore(pool: recommendations), assessment: AssessmentStore(pool: assessment),
            trials: TrialsStore(pool: trials), door: VaultDoorClient(socketPath: "/nonexistent/bench-door"), regionOf: { _, _ in "77" })
        let since = KPIDesk.windowStart(Date())
        let scopes: [(String, String)] = [("region", "77"), ("school", "77-0042"), ("venue", "77-V03")]
        var latencies: [Double] = []
        var byScope: [String: [Double]] = [:]
        var checksum = 0
        for index in 0..<queries {
            let (scope, id) = scopes[index % scopes.count]
            let before = ContinuousClock.now
            // As the vault answers: a venue's figures have none of its counts.
            let rows = scope == "venue"
                ? [] : try await vault.query(Vault.kpiCountsQuery(organisation: scope == "school" ? id : nil, region: "77", since: since)).map { $0 }
            var raw: [String: RawKPICounts] = [:]
            try await desk.moduleCounts(scope: scope, id: id, region: "77", since: since, into: &raw)
            let elapsed = Self.milliseconds(ContinuousClock.now - before)
            latencies.append(elapsed)
            byScope[scope, default: []].append(elapsed)
            checksum &+= rows.count &+ raw.count
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        print("pupils  queries  p50_ms  p99_ms  max_ms")
        print(String(format: "%6d  %7d  %6.2f  %6.2f  %6.2f  (checksum %d)", pupils, queries, percentile(0.5), percentile(0.99), percentile(1.0), checksum))
        for (scope, _) in scopes {
            let sorted = (byScope[scope] ?? [0]).sorted()
            print(String(format: "  %@: p50 %.2f ms, p99 %.2f ms", scope, sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)]))
        }
        print(percentile(0.99) <= 50 ? "target met: p99 at most 50 ms" : "target missed: p99 above 50 ms")
        for pool in [vault, assessment, trials, recommendations] { await pool.shutdown() }
    }

    /// The seeding statements: every row synthetic, months spread over the last year.
    static func seed(pupils: Int) -> [SQLStatement] {
        [
            """
            INSERT INTO vault.subjects (id, created_at, kind, token, organisation_type, organisation, region, data_key, kek_version, created_by)
            SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, now() - ((g % 360) || ' days')::interval, 'pupil',
                   'sub_' || lpad(g::text, 22, 'B'), 'school', '77-' || lpad((g % 100)::text, 4, '0'), '77', '\\x00'::bytea, 1, 'bench'
            FROM generate_series(1, \(pupils)) g
            """,
            """
            INSERT INTO vault.consents (id, token, series, version, subject_id, given_by, operator, purpose, data_fields, actions, valid_from,
                                        withdrawal_method, signed_on, collection, state, recorded_at, recorded_by)
            SELECT gen_random_uuid(), 'cns_' || lpad(g::text, 22, 'C'), gen_random_uuid(), 1,
                   ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'self', 'bench', 'recommendation', ARRAY['grade'],
                   ARRAY['store'], now() - interval '400 days', 'written', current_date, 'paper', 'active',
                   now() - ((g % 360) || ' days')::interval, 'bench'
            FROM generate_series(1, \(pupils)) g
            """,
            """
            INSERT INTO assessment.tests (code, version, title, definition, time_limit_seconds, max_attempts, state, uploaded_by, uploaded_at,
                                          published_by, published_at)
            VALUES ('bench', 1, 'Bench', '{}', 600, 1, 'published', 'bench', now(), 'bench', now())
            """,
            """
            INSERT INTO assessment.assignments (id, pupil_token, test_code, test_version, assigned_by, assigned_at)
            SELECT ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid, 'asm_' || lpad(g::text, 22, 'D'), 'bench', 1, 'bench', now()
            FROM generate_series(1, \(pupils)) g
            """,
            """
            INSERT INTO assessment.sessions (id, assignment_id, pupil_token, attempt, started_at, deadline_at, status, finished_at)
            SELECT ('00000000-0000-4000-a000-' || lpad(to_hex(g), 12, '0'))::uuid, ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid,
                   'asm_' || lpad(g::text, 22, 'D'), 1, now(), now(), 'submitted', now()
            FROM generate_series(1, \(pupils)) g
            """,
            """
            INSERT INTO assessment.results (session_id, pupil_token, test_code, test_version, scores, answered, questions, outcome, completed_at,
                                            school, region)
            SELECT ('00000000-0000-4000-a000-' || lpad(to_hex(g), 12, '0'))::uuid, 'asm_' || lpad(g::text, 22, 'D'), 'bench', 1, '{}', 0, 0,
                   'submitted', now() - ((g % 360) || ' days')::interval, '77-' || lpad((g % 100)::text, 4, '0'), '77'
            FROM generate_series(1, \(pupils)) g
            """,
            """
            INSERT INTO trials.places (venue, name, address, capacity, created_by)
            SELECT '77-V' || lpad(v::text, 2, '0'), 'Hall', 'Synthetic street', 100000, 'bench' FROM generate_series(0, 9) v
            """,
            """
            INSERT INTO trials.events (venue, region, kind, title, starts_at, ends_at, place_id, capacity, sphere, format, status, seated, created_by)
            SELECT p.venue, '77', 'trial', 'Trial', now() - ((m * 30 + 1) || ' days')::interval, now() - ((m * 30) || ' days')::interval, p.id,
                   100000, 'it', 'in_person', 'approved', 0, 'bench'
            FROM trials.places p CROSS JOIN generate_series(0, 11) m
            """,
            """
            INSERT INTO trials.enrolments (event_id, pupil_token, state, enrolled_by, school)
            SELECT (SELECT min(id) FROM trials.events) + (g % 120), 'trl_' || lpad(g::text, 22, 'E'), 'seated', 'bench',
                   '77-' || lpad((g % 100)::text, 4, '0')
            FROM generate_series(1, \(pupils)) g
            """,
            """
            INSERT INTO trials.attendance (event_id, pupil_token, attended, grade, marked_by)
            SELECT event_id, pupil_token, true, 5, 'bench' FROM trials.enrolments
            """,
            """
            INSERT INTO recommendations.items (pupil_token, kind, subject, title, score, rank, reasons, text, status, school, region,
                                               generated_by, published_by, published_at)
            SELECT 'rec_' || lpad(g::text, 22, 'F'), 'sphere', 'it', 'IT', 80, 1, '[]', 'Текст.', 'published', '77-' || lpad((g % 100)::text, 4, '0'),
                   '77', 'bench', 'bench', now() - ((g % 360) || ' days')::interval
            FROM generate_series(1, \(pupils)) g
            """,
        ]
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
