import Synchronization

/// Admits at most ``limit`` pieces of work at once and lets at most ``queueLimit`` more wait, in
/// order; beyond that it refuses at once. Ahead of that global bound, each client (a workstation
/// certificate) may hold at most ``perClientLimit`` places, running and waiting together: a client
/// over its share is refused at once, so one flooding workstation fills its own share and gets
/// "busy" while other clients still find places.
///
/// Argon2id with RFC 9106's second recommendation holds 64 MiB for each hash, so a flood of login
/// attempts must not start one computation per attempt: the gate keeps memory and threads bounded
/// and answers the excess "busy" instead of queueing without end.
final class WorkGate: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Bool, Never>] = []
        /// Places (running or waiting) held per client.
        var held: [String: Int] = [:]
    }

    /// The most pieces of work running at once.
    let limit: Int
    /// The most callers waiting for a place.
    let queueLimit: Int
    /// The most places one client holds, running and waiting.
    let perClientLimit: Int
    private let state = Mutex(State())

    init(limit: Int, queueLimit: Int, perClientLimit: Int = .max) {
        precondition(limit > 0 && queueLimit >= 0 && perClientLimit > 0)
        self.limit = limit
        self.queueLimit = queueLimit
        self.perClientLimit = perClientLimit
    }

    /// Runs `work` once admitted; `nil` when the queue is full or `client` already holds its share
    /// (nothing ran).
    func run<T: Sendable>(client: String? = nil, _ work: () async -> T) async -> T? {
        guard await enter(client: client) else { return nil }
        let result = await work()
        leave(client: client)
        return result
    }

    /// Takes a place for `client` if it has a share left; false when it does not.
    private func reserve(_ client: String?, _ state: inout State) -> Bool {
        guard let client else { return true }
        let held = state.held[client, default: 0]
        guard held < perClientLimit else { return false }
        state.held[client] = held + 1
        return true
    }

    private func release(_ client: String?, _ state: inout State) {
        guard let client, let held = state.held[client] else { return }
        state.held[client] = held > 1 ? held - 1 : nil
    }

    private func admit(_ state: inout State) -> Bool? {
        if state.running < limit {
            state.running += 1
            return true
        }
        return state.waiting.count >= queueLimit ? false : nil
    }

    private func enter(client: String?) async -> Bool {
        let immediate: Bool? = state.withLock { state in
            guard reserve(client, &state) else { return false }
            guard let decided = admit(&state) else {
                release(client, &state)  // re-reserved below, with the continuation
                return nil
            }
            if !decided { release(client, &state) }
            return decided
        }
        if let immediate { return immediate }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let decided: Bool? = state.withLock { state in
                guard reserve(client, &state) else { return false }
                if let decided = admit(&state) {
                    if !decided { release(client, &state) }
                    return decided
                }
                state.waiting.append(continuation)
                return nil
            }
            if let decided { continuation.resume(returning: decided) }
        }
    }

    private func leave(client: String?) {
        // A waiter takes over the place of the work that ended, so `running` stays as it is.
        let next: CheckedContinuation<Bool, Never>? = state.withLock { state in
            release(client, &state)
            if state.waiting.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: true)
    }
}
