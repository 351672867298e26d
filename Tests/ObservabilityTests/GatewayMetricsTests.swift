import Gateway
import HTTPTypes
import Monitoring
import PostgreSQL
import TLS
import Testing
import VaultDoor

/// The gateway's exposition (issue 15, part 4): every metric family carries a `# HELP` line, made
/// once per name through swift-prometheus's registry.
@Suite struct GatewayMetricsTests {
    /// The families of `exposition` by their `# TYPE` lines, and those with a non-empty `# HELP` line.
    static func families(_ exposition: String) -> (typed: Set<String>, helped: Set<String>) {
        var typed = Set<String>()
        var helped = Set<String>()
        for line in exposition.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 3)
            guard parts.count >= 4, parts[0] == "#" else { continue }
            if parts[1] == "TYPE" { typed.insert(String(parts[2])) }
            if parts[1] == "HELP", !parts[3].isEmpty { helped.insert(String(parts[2])) }
        }
        return (typed, helped)
    }

    @Test func everyFamilyHasHelpText() async throws {
        let metrics = GatewayMetrics(listeners: ["workstations", "admin"])
        // Never connected: the reading's series are made at init, its refresh is not called.
        let pool = PostgresConnectionPool(configuration: PostgresConfiguration(connectionString: "postgresql://nobody@127.0.0.1:1/none"))
        _ = AuditLogReading(pool: pool, metrics: metrics)
        let requests = metrics.requests(RouteTable([.init(method: .get, path: "/v1/pupils/{token}")]))
        requests.answered(route: nil, method: .get, status: .notFound)
        metrics.doorCalls.doorCalled(.pupils, outcome: .answered, duration: .milliseconds(3))
        metrics.handshakes.handshakeCompleted(listener: "admin", resumed: false)

        let text = String(decoding: await metrics.exposition(after: []), as: UTF8.self)
        let (typed, helped) = Self.families(text)
        let expected: Set<String> = [
            "bilet_tls_handshakes_total", "bilet_tls_refusals_total", "bilet_http_requests_total", "bilet_http_unanswered_requests_total",
            "bilet_vault_door_calls_total",
            "bilet_vault_door_call_duration_seconds", "bilet_policy_decisions_total", "bilet_audit_events_total",
            "bilet_audit_checkpoint_age_seconds", "bilet_audit_sequencer_pending_events", "bilet_audit_sequencer_lag_seconds",
            "bilet_audit_checkpoint_file_failures_total", "bilet_audit_checkpoint_file_failing", "bilet_reading_up",
        ]
        #expect(expected.isSubset(of: typed), "missing: \(expected.subtracting(typed))")
        #expect(typed.subtracting(helped).isEmpty, "no HELP: \(typed.subtracting(helped))")
        #expect(text.contains(#"bilet_http_requests_total{route="unmatched",method="GET",status="404"} 1"#), "\(text)")
        #expect(!text.contains(#"route="before-routing""#), "\(text)")
        await pool.shutdown()
    }

    /// A request the listener's limits or the HTTP/1.1 parser refuse before routing (413, 400) is
    /// counted under `route="before-routing"`, not under a route nor as `unmatched`; one the limits
    /// end without an answer under its reason, each reason's series there (0) from the start.
    @Test func limitRefusalsAreCountedBeforeRouting() async {
        let metrics = GatewayMetrics(listeners: ["workstations"])
        let observe = metrics.requestCounting(RouteTable([.init(method: .post, path: "/v1/pupils/import")]))
        observe.refusedBeforeRouting(method: .post, status: .contentTooLarge)
        observe.refusedBeforeRouting(method: .post, status: .contentTooLarge)
        observe.refusedBeforeRouting(method: .get, status: .badRequest)
        let unanswered = #"bilet_http_unanswered_requests_total{reason="#
        let before = String(decoding: await metrics.exposition(after: []), as: UTF8.self)
        #expect(before.contains(unanswered + #""body-too-large"} 0"#) && before.contains(unanswered + #""body-timed-out"} 0"#), "\(before)")
        observe.refusedBeforeRouting(method: nil, status: .badRequest)
        observe.endedWithoutAnswer(.bodyTimedOut)
        observe.endedWithoutAnswer(.bodyTimedOut)
        let text = String(decoding: await metrics.exposition(after: []), as: UTF8.self)
        #expect(text.contains(#"bilet_http_requests_total{route="before-routing",method="unknown",status="400"} 1"#), "\(text)")
        #expect(text.contains(unanswered + #""body-timed-out"} 2"#), "\(text)")
        #expect(text.contains(unanswered + #""body-too-large"} 0"#) && text.contains(unanswered + #""answer-stalled"} 0"#), "\(text)")
        #expect(text.contains(#"bilet_http_requests_total{route="before-routing",method="POST",status="413"} 2"#), "\(text)")
        #expect(text.contains(#"bilet_http_requests_total{route="before-routing",method="GET",status="400"} 1"#), "\(text)")
        #expect(!text.contains(#"route="/v1/pupils/import""#) && !text.contains(#"route="unmatched""#), "\(text)")
    }
}
