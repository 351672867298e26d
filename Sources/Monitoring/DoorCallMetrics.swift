import CoreMetrics
public import VaultDoor

/// Calls from this gateway to the vault's door, which is the only way personal data is read:
/// `bilet_vault_door_calls_total{area, outcome}` and their duration,
/// `bilet_vault_door_call_duration_seconds{area}` (a histogram). Counted at the gateway's side of
/// the door; the vault's own count of reads is `bilet_audit_events_total{kind="pii.read"}`.
public final class DoorCallMetrics: DoorCallObserver, Sendable {
    private struct Area: Sendable {
        let outcomes: [DoorCallOutcome: CoreMetrics.Counter]
        let duration: CoreMetrics.Timer
    }

    private let areas: [VaultDoorRequest.Area: Area]

    init(factory: any MetricsFactory) {
        var areas: [VaultDoorRequest.Area: Area] = [:]
        // `status` is asked only by /readyz, through a client nothing observes: no series that never moves.
        for area in VaultDoorRequest.Area.allCases where area != .status {
            areas[area] = Area(
                outcomes: Dictionary(
                    uniqueKeysWithValues: DoorCallOutcome.allCases.map { outcome in
                        (
                            outcome,
                            CoreMetrics.Counter(
                                label: "bilet_vault_door_calls_total", dimensions: [("area", area.rawValue), ("outcome", outcome.rawValue)],
                                factory: factory)
                        )
                    }),
                duration: CoreMetrics.Timer(label: "bilet_vault_door_call_duration_seconds", dimensions: [("area", area.rawValue)], factory: factory))
        }
        self.areas = areas
    }

    public func doorCalled(_ area: VaultDoorRequest.Area, outcome: DoorCallOutcome, duration: Duration) {
        guard let counters = self.areas[area] else { return }
        counters.outcomes[outcome]?.increment()
        let (seconds, attoseconds) = duration.components
        counters.duration.recordNanoseconds(seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000)
    }
}
