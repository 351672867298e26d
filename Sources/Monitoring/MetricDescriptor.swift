import Prometheus

/// A metric's name and its `# HELP` text. swift-prometheus keeps one instrument per name and
/// labels and requires every series of a name to carry the same text, so each metric the gateway
/// exposes is described once, here (docs/METRICS.md lists the same).
struct MetricDescriptor: Sendable, Hashable {
    let name: String
    let help: String

    /// swift-prometheus's descriptor: the whole name as the base name, no unit suffix added.
    var prometheus: MetricNameDescriptor { MetricNameDescriptor(metricName: name, unitName: "", helpText: help) }
}

extension MetricDescriptor {
    static let tlsHandshakes = MetricDescriptor(
        name: "bilet_tls_handshakes_total", help: "TLS handshakes accepted, by listener and whether the session was resumed.")
    static let tlsRefusals = MetricDescriptor(
        name: "bilet_tls_refusals_total", help: "TLS handshakes refused, by listener and reason (certificate refusal code, protocol-error, timed-out).")
    static let httpRequests = MetricDescriptor(
        name: "bilet_http_requests_total", help: "HTTP answers by route pattern (never the path asked for), method and status.")
    static let httpUnansweredRequests = MetricDescriptor(
        name: "bilet_http_unanswered_requests_total",
        help: "Requests the listener's limits ended without an answer (connection or stream closed), by reason.")
    static let doorCalls = MetricDescriptor(
        name: "bilet_vault_door_calls_total", help: "Calls from this gateway to the vault's door, by area and outcome.")
    static let doorCallDuration = MetricDescriptor(
        name: "bilet_vault_door_call_duration_seconds", help: "Duration of this gateway's calls to the vault's door, by area.")
    static let policyDecisions = MetricDescriptor(
        name: "bilet_policy_decisions_total", help: "Audit events with a policy decision committed since this gateway's first scrape, by decision.")
    static let auditEvents = MetricDescriptor(
        name: "bilet_audit_events_total", help: "Audit events committed since this gateway's first scrape, by kind.")
    static let auditAppendCalls = MetricDescriptor(
        name: "bilet_audit_append_calls_total", help: "Calls of audit.append and audit.append_batch by every process (pg_stat_user_functions).")
    static let auditAppendSeconds = MetricDescriptor(
        name: "bilet_audit_append_seconds_total", help: "Time spent in audit.append and audit.append_batch by every process (pg_stat_user_functions).")
    static let sequencerPending = MetricDescriptor(
        name: "bilet_audit_sequencer_pending_events", help: "Committed audit events not yet integrated into the Merkle tree (counted up to 100000).")
    static let sequencerLag = MetricDescriptor(
        name: "bilet_audit_sequencer_lag_seconds", help: "Age of the oldest committed audit event not yet integrated; 0 when none waits.")
    static let checkpointAge = MetricDescriptor(
        name: "bilet_audit_checkpoint_age_seconds", help: "Seconds since the newest signed audit checkpoint.")
    static let checkpointFileFailures = MetricDescriptor(
        name: "bilet_audit_checkpoint_file_failures_total", help: "Failed attempts of the sequencer to write a checkpoint file (checkpoint directory full or gone).")
    static let checkpointFileFailing = MetricDescriptor(
        name: "bilet_audit_checkpoint_file_failing", help: "1 while signed checkpoints wait to be written to the checkpoint directory again, else 0.")
    static let readingUp = MetricDescriptor(
        name: "bilet_reading_up", help: "1 when the last scrape-time reading succeeded, 0 when it failed.")
    static let certificateExpiry = MetricDescriptor(
        name: "bilet_certificate_expiry_seconds", help: "Seconds until notAfter of each server certificate and each CA certificate of the client bundle.")
    static let crlAge = MetricDescriptor(
        name: "bilet_crl_age_seconds", help: "Seconds since thisUpdate of each CRL in force, by issuer.")
    static let crlNextUpdate = MetricDescriptor(
        name: "bilet_crl_next_update_seconds", help: "Seconds until nextUpdate of each CRL in force, by issuer; below 0 that CA's clients are refused.")
}

extension PrometheusCollectorRegistry {
    /// The counter of `metric` with `labels`, made the first time (the registry keeps it).
    func counter(_ metric: MetricDescriptor, _ labels: [(String, String)] = []) -> Counter {
        makeCounter(descriptor: metric.prometheus, labels: labels)
    }

    /// The gauge of `metric` with `labels`, made the first time (the registry keeps it).
    func gauge(_ metric: MetricDescriptor, _ labels: [(String, String)] = []) -> Gauge {
        makeGauge(descriptor: metric.prometheus, labels: labels)
    }

    /// The duration histogram of `metric` with `labels` and `buckets`.
    func durationHistogram(_ metric: MetricDescriptor, _ labels: [(String, String)], buckets: [Duration]) -> DurationHistogram {
        makeDurationHistogram(descriptor: metric.prometheus, labels: labels, buckets: buckets)
    }
}
