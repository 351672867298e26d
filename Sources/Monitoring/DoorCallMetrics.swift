import Prometheus
public import VaultDoor

/// Calls from this gateway to the vault's door, which is the only way personal data is read:
/// `bilet_vault_door_calls_total{area, outcome}` and their duration,
/// `bilet_vault_door_call_duration_seconds{area}` (a histogram). Counted at the gateway's side of
/// the door; the vault's own count of reads is `bilet_audit_events_total{kind="pii.read"}`.
public final class DoorCallMetrics: DoorCallObserver, Sendable {
    private struct Area: Sendable {
        let outcomes: [DoorCallOutcome: Counter]
        let duration: DurationHistogram
    }

    private let areas: [VaultDoorRequest.Area: Area]

    init(registry: PrometheusCollectorRegistry) {
        // The buckets swift-prometheus's metrics factory gives a timer: 5 ms … 10 s.
        let buckets = PrometheusMetricsFactory(registry: registry).defaultDurationHistogramBuckets
        var areas: [VaultDoorRequest.Area: Area] = [:]
        // `status` is asked only by /readyz, through a client nothing observes: no series that never moves.
        for area in VaultDoorRequest.Area.allCases where area != .status {
            areas[area] = Area(
                outcomes: Dictionary(
                    uniqueKeysWithValues: DoorCallOutcome.allCases.map { outcome in
                        (
                            outcome,
                            registry.counter(.doorCalls, [("area", area.rawValue), ("outcome", outcome.rawValue)])
                        )
                    }),
                duration: registry.durationHistogram(.doorCallDuration, [("area", area.rawValue)], buckets: buckets))
        }
        self.areas = areas
    }

    public func doorCalled(_ area: VaultDoorRequest.Area, outcome: DoorCallOutcome, duration: Duration) {
        guard let counters = self.areas[area] else { return }
        counters.outcomes[outcome]?.increment()
        counters.duration.record(duration)
    }
}
