import Synchronization

/// What `bilet serve` waits for before it announces readiness: each gateway listener bound and
/// the vault control socket answering. Parts report by name; ``isComplete`` turns true when every
/// expected part has.
final class StartupProgress: Sendable {
    private let pending: Mutex<Set<String>>

    /// Expects `parts`, e.g. `listener:workstations` and `vault-control`.
    init(expecting parts: Set<String>) {
        pending = Mutex(parts)
    }

    /// Marks `part` as up.
    func arrived(_ part: String) {
        _ = pending.withLock { $0.remove(part) }
    }

    /// Whether every expected part is up.
    var isComplete: Bool { pending.withLock { $0.isEmpty } }

    /// Waits until complete or cancelled; returns whether it completed.
    func wait() async -> Bool {
        while !isComplete {
            guard (try? await Task.sleep(for: .milliseconds(20))) != nil else { return false }
        }
        return true
    }
}
