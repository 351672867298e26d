import Synchronization

/// Admits at most ``limit`` pieces of work at once and lets at most ``queueLimit`` more wait, in
/// order; beyond that it refuses at once.
///
/// Argon2id with RFC 9106's second recommendation holds 64 MiB for each hash, so a flood of login
/// attempts must not start one computation per attempt: the gate keeps memory and threads bounded
/// and answers the excess "busy" instead of queueing without end.
final class WorkGate: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Bool, Never>] = []
    }

    /// The most pieces of work running at once.
    let limit: Int
    /// The most callers waiting for a place.
    let queueLimit: Int
    private let state = Mutex(State())

    init(limit: Int, queueLimit: Int) {
        precondition(limit > 0 && queueLimit >= 0)
        self.limit = limit
        self.queueLimit = queueLimit
    }

    /// Runs `work` once admitted; `nil` when the queue is full (nothing ran).
    func run<T: Sendable>(_ work: () async -> T) async -> T? {
        guard await enter() else { return nil }
        let result = await work()
        leave()
        return result
    }

    private func admit(_ state: inout State) -> Bool? {
        if state.running < limit {
            state.running += 1
            return true
        }
        return state.waiting.count >= queueLimit ? false : nil
    }

    private func enter() async -> Bool {
        if let decided = state.withLock({ admit(&$0) }) { return decided }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let decided: Bool? = state.withLock { state in
                if let decided = admit(&state) { return decided }
                state.waiting.append(continuation)
                return nil
            }
            if let decided { continuation.resume(returning: decided) }
        }
    }

    private func leave() {
        // A waiter takes over the place of the work that ended, so `running` stays as it is.
        let next: CheckedContinuation<Bool, Never>? = state.withLock { state in
            if state.waiting.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: true)
    }
}
