import Prometheus
public import PostgreSQL

/// What the other processes leave in the audit log, read at scrape time through the gateway's
/// read-only `bilet_auditor` pool: every process appends there (invariant 5), so one reading covers
/// the vault, the CA and the sequencer without each of them exporting metrics.
///
/// - `bilet_audit_checkpoint_age_seconds`: since the newest signed checkpoint (the sequencer signs
///   at least every second while events arrive);
/// - `bilet_audit_sequencer_pending_events` and `bilet_audit_sequencer_lag_seconds`: committed
///   events not yet integrated into the Merkle tree, and the age of the oldest of them (0 when none);
///   counted up to 100,000;
/// - `bilet_audit_events_total{kind}` and `bilet_policy_decisions_total{decision}` (`permit`,
///   `deny`, `error`): events committed since this gateway's first scrape, read in the sequencer's
///   order (transaction, then id) so none is counted twice or missed; `kind="pii.read"` counts the
///   vault's reads of personal data;
/// - `bilet_audit_append_calls_total{function}` and `bilet_audit_append_seconds_total{function}`:
///   calls of `audit.append` and `audit.append_batch` by every process and the time spent in them,
///   from PostgreSQL's `pg_stat_user_functions` (needs `track_functions = pl`, which bilet's private
///   cluster sets); their ratio over a window is the mean append latency;
/// - `bilet_audit_checkpoint_file_failures_total` and `bilet_audit_checkpoint_file_failing`: the
///   sequencer's failed attempts to write a checkpoint file (the checkpoint directory's disk full),
///   and 1 while the newest checkpoints' files are not written again yet, from
///   `audit.checkpoint_file_writes` (migration 0911);
/// - `bilet_reading_up{reading="audit-log"}`: 1 when the last reading succeeded, 0 when it failed.
public actor AuditLogReading: ScrapeReading {
    let pool: PostgresConnectionPool
    private let registry: PrometheusCollectorRegistry
    private let checkpointAge: Gauge
    private let pending: Gauge
    private let lag: Gauge
    private let up: Gauge
    private let fileFailures: Counter
    private let fileFailing: Gauge
    /// The failed checkpoint file writes counted so far.
    private var fileFailuresCounted: Int64 = 0
    /// The last event counted, in the sequencer's order; `nil` until the first scrape.
    private var cursor: (xid: String, id: Int64)?
    /// The last `pg_stat_user_functions` values, by function: calls, milliseconds.
    private var appendTotals: [String: (calls: Int64, milliseconds: Double)] = [:]

    /// The most events one scrape counts; the rest are counted by the next.
    static let batch = 100_000

    /// A reading through `pool` (the read-only `bilet_auditor` role) into `metrics`.
    public init(pool: PostgresConnectionPool, metrics: GatewayMetrics) {
        self.pool = pool
        let registry = metrics.registry
        self.registry = registry
        self.checkpointAge = registry.gauge(.checkpointAge)
        self.pending = registry.gauge(.sequencerPending)
        self.lag = registry.gauge(.sequencerLag)
        self.up = registry.gauge(.readingUp, [("reading", "audit-log")])
        self.fileFailures = registry.counter(.checkpointFileFailures)
        self.fileFailing = registry.gauge(.checkpointFileFailing)
        for decision in ["permit", "deny", "error"] { _ = registry.counter(.policyDecisions, [("decision", decision)]) }
        _ = registry.counter(.auditEvents, [("kind", "pii.read")])
    }

    public func refresh() async {
        do {
            try await self.readCheckpoint()
            try await self.readCheckpointFiles()
            try await self.readSequencer()
            try await self.countEvents()
            try await self.readAppendStatistics()
            up.record(1.0)
        } catch {
            up.record(0.0)
        }
    }

    private func readCheckpoint() async throws {
        let rows = try await pool.query(
            "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp() - signed_at) AS float8) FROM audit.checkpoints ORDER BY sequence DESC LIMIT 1")
        if let row = rows.first { checkpointAge.record(try row.decode(Double.self, at: 0)) }
    }

    private func readCheckpointFiles() async throws {
        let rows = try await pool.query(
            """
            SELECT (SELECT CAST(count(*) AS int8) FROM audit.checkpoint_file_writes WHERE outcome = 'failed'),
                   COALESCE((SELECT outcome = 'failed' FROM audit.checkpoint_file_writes ORDER BY recorded_at DESC LIMIT 1), false)
            """)
        guard let row = rows.first else { return }
        let failures = try row.decode(Int64.self, at: 0)
        if failures > fileFailuresCounted { fileFailures.increment(by: failures - fileFailuresCounted) }
        fileFailuresCounted = failures
        fileFailing.record(try row.decode(Bool.self, at: 1) ? 1.0 : 0.0)
    }

    private func readSequencer() async throws {
        let rows = try await pool.query(
            """
            WITH last AS (SELECT event_xid, event_id FROM audit.leaves ORDER BY leaf_index DESC LIMIT 1),
            waiting AS (
                SELECT e.recorded_at FROM audit.events e
                WHERE (e.xid, e.id) > (COALESCE((SELECT event_xid FROM last), CAST('0' AS xid8)), COALESCE((SELECT event_id FROM last), 0))
                  AND e.xid < audit.integration_bound()
                LIMIT \(Int64(Self.batch)))
            SELECT CAST(count(*) AS int8), CAST(COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(recorded_at)), 0) AS float8) FROM waiting
            """)
        guard let row = rows.first else { return }
        pending.record(Double(try row.decode(Int64.self, at: 0)))
        lag.record(try row.decode(Double.self, at: 1))
    }

    private func countEvents() async throws {
        guard let cursor else {
            let head = try await pool.query(
                """
                SELECT CAST(xid AS text), id FROM audit.events WHERE xid < audit.integration_bound()
                ORDER BY xid DESC, id DESC LIMIT 1
                """)
            self.cursor = try head.first.map { (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1)) } ?? ("0", 0)
            return
        }
        let rows = try await pool.query(
            """
            WITH fresh AS (
                SELECT e.xid, e.id, e.kind, e.decision FROM audit.events e
                WHERE (e.xid, e.id) > (CAST(\(cursor.xid) AS xid8), \(cursor.id))
                  AND e.xid < audit.integration_bound()
                ORDER BY e.xid, e.id LIMIT \(Int64(Self.batch))),
            last AS (SELECT CAST(xid AS text) AS xid_text, id FROM fresh ORDER BY xid DESC, id DESC LIMIT 1)
            SELECT f.kind, f.decision, CAST(count(*) AS int8), last.xid_text, last.id
            FROM fresh f, last GROUP BY f.kind, f.decision, last.xid_text, last.id
            """)
        for row in rows {
            let count = try row.decode(Int64.self, at: 2)
            registry.counter(.auditEvents, [("kind", try row.decode(String.self, at: 0))]).increment(by: count)
            if let decision = try row.decode(String?.self, at: 1) { registry.counter(.policyDecisions, [("decision", decision)]).increment(by: count) }
            self.cursor = (try row.decode(String.self, at: 3), try row.decode(Int64.self, at: 4))
        }
    }

    private func readAppendStatistics() async throws {
        let rows = try await pool.query(
            """
            SELECT funcname::text, calls, total_time FROM pg_stat_user_functions
            WHERE schemaname = 'audit' AND funcname IN ('append', 'append_batch')
            """)
        for row in rows {
            let function = try row.decode(String.self, at: 0)
            let calls = try row.decode(Int64.self, at: 1)
            let milliseconds = try row.decode(Double.self, at: 2)
            let previous = appendTotals[function] ?? (0, 0)
            // statistics reset (or first seen): count from zero again
            let reset = calls < previous.calls
            registry.counter(.auditAppendCalls, [("function", function)]).increment(by: reset ? calls : calls - previous.calls)
            registry.counter(.auditAppendSeconds, [("function", function)]).increment(
                by: (reset ? milliseconds : milliseconds - previous.milliseconds) / 1000)
            appendTotals[function] = (calls, milliseconds)
        }
    }
}
