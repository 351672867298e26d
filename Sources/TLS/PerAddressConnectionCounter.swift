import Synchronization

/// Open connections per client IP address on one listener, so that no single address can take
/// the whole listener (review finding L10).
///
/// ``admit(_:limit:)`` counts a connection in when its address is under `limit` and refuses it
/// otherwise; every admitted connection is counted out once with ``release(_:)`` when it closes.
/// Addresses with no open connection are forgotten, so the table holds only live addresses.
final class PerAddressConnectionCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    private let refusedTotal = Atomic<Int>(0)

    /// Counts a connection from `address` in, or refuses it when `address` already has `limit`.
    func admit(_ address: String, limit: Int) -> Bool {
        let admitted = self.counts.withLock { counts in
            let open = counts[address, default: 0]
            guard open < limit else { return false }
            counts[address] = open + 1
            return true
        }
        if !admitted { self.refusedTotal.wrappingAdd(1, ordering: .relaxed) }
        return admitted
    }

    /// Counts out a connection ``admit(_:limit:)`` let in.
    func release(_ address: String) {
        self.counts.withLock { counts in
            guard let open = counts[address] else { return }
            counts[address] = open > 1 ? open - 1 : nil
        }
    }

    /// Connections open from `address`.
    func openConnections(from address: String) -> Int {
        self.counts.withLock { $0[address, default: 0] }
    }

    /// Connections refused for their address since the listener started.
    var refused: Int { self.refusedTotal.load(ordering: .relaxed) }
}
