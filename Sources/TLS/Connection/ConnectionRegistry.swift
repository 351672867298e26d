public import NIOCore
import Synchronization

/// The live authenticated connections of a gateway, indexed by the (issuer, serial) of every
/// certificate in their client's chain, and the revocation set they are held to.
///
/// When a new CRL arrives, ``enforce(_:)`` finds exactly the connections whose chain it revokes,
/// by lookup, and asks each to close (their TLS handler sends `certificate_revoked` and closes).
/// A connection is admitted only if its chain is not revoked under the set in force at that moment,
/// so a handshake that raced with a reload cannot slip through.
public final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        let keys: [RevocationKey]
    }

    private struct State {
        var revocations: RevocationSet = .empty
        var connections: [ObjectIdentifier: Entry] = [:]
        var byKey: [RevocationKey: Set<ObjectIdentifier>] = [:]
    }

    private let state = Mutex(State())

    /// An empty registry.
    public init() {}

    /// How many authenticated connections are open.
    public var authenticatedConnectionCount: Int { self.state.withLock { $0.connections.count } }

    /// Registers `channel` under `keys` unless one of them is revoked now; removes it again when
    /// the channel closes. Returns `false` (and registers nothing) when revoked.
    func admit(_ channel: any Channel, keys: [RevocationKey]) -> Bool {
        let id = ObjectIdentifier(channel)
        let admitted = self.state.withLock { state -> Bool in
            if keys.contains(where: state.revocations.contains) { return false }
            state.connections[id] = Entry(channel: channel, keys: keys)
            for key in keys { state.byKey[key, default: []].insert(id) }
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { _ in self.remove(id) }
        }
        return admitted
    }

    private func remove(_ id: ObjectIdentifier) {
        self.state.withLock { state in
            guard let entry = state.connections.removeValue(forKey: id) else { return }
            for key in entry.keys {
                state.byKey[key]?.remove(id)
                if state.byKey[key]?.isEmpty == true { state.byKey[key] = nil }
            }
        }
    }

    /// Puts `revocations` in force: later admissions are checked against it, and every open
    /// connection whose chain it revokes is asked to close. Returns how many were asked.
    @discardableResult
    public func enforce(_ revocations: RevocationSet) -> Int {
        let doomed = self.state.withLock { state -> [any Channel] in
            state.revocations = revocations
            var ids = Set<ObjectIdentifier>()
            for (key, holders) in state.byKey where revocations.contains(key) { ids.formUnion(holders) }
            return ids.compactMap { state.connections[$0]?.channel }
        }
        for channel in doomed {
            channel.pipeline.fireUserInboundEventTriggered(TLSCertificateRevokedEvent())
        }
        return doomed.count
    }
}
