/// How a door call ended, as the gateway saw it.
public enum DoorCallOutcome: String, Sendable, Hashable, CaseIterable {
    /// The vault answered with what was asked for.
    case answered
    /// The vault refused (policy, consent, sealed, unknown pupil …), with a stable code.
    case refused
    /// The vault could not be reached or answered nonsense.
    case unreachable
}

/// Told of every call a ``VaultDoorClient`` makes: its area, outcome and duration, never a value
/// of the request or the answer. The gateway's count of the vault's reads (the metrics).
public protocol DoorCallObserver: Sendable {
    /// A call in `area` ended with `outcome` after `duration`.
    func doorCalled(_ area: VaultDoorRequest.Area, outcome: DoorCallOutcome, duration: Duration)
}
