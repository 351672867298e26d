import Synchronization

/// Holds the current policy set and swaps it atomically on reload.
///
/// A reload validates the new set completely before swapping; if it is invalid, the old set stays
/// in force and the error says why. Decisions already running keep the set they started with.
/// File watching and signals are the gateway's business: it calls `reload`.
public final class PolicyStore: Sendable {
    private let state: Mutex<PolicySet>
    /// Held for a whole reload, so reloads take effect in the order they started: a slow reload
    /// of older files can never overwrite a newer set that a later reload installed. Decisions
    /// never wait for it.
    private let reloading = Mutex(())
    private let hasher: any PolicyVersionHasher

    /// The result of a successful reload, for the audit log.
    public struct ReloadOutcome: Hashable, Sendable {
        public var previousVersion: PolicyVersion
        public var currentVersion: PolicyVersion
        /// False when the new source hashed to the same version.
        public var changed: Bool { previousVersion != currentVersion }
    }

    /// Creates a store serving `initial`; reloads hash with `hasher`.
    public init(initial: PolicySet, hasher: some PolicyVersionHasher) {
        state = Mutex(initial)
        self.hasher = hasher
    }

    /// Creates a store from the policy directory, or throws why it is invalid.
    public convenience init(directory: String, hasher: some PolicyVersionHasher) throws(PolicyLoadError) {
        self.init(initial: try PolicySet.load(directory: directory, hasher: hasher), hasher: hasher)
    }

    /// The set in force now.
    public var current: PolicySet {
        state.withLock { $0 }
    }

    /// Loads, checks and compiles the policy directory, then swaps it in. On any problem the
    /// current set stays and the diagnostics are thrown. Concurrent reloads run one after the
    /// other, in the order they started.
    @discardableResult
    public func reload(from directory: String) throws(PolicyLoadError) -> ReloadOutcome {
        try reloading.withLock { _ throws(PolicyLoadError) in
            install(try PolicySet.load(directory: directory, hasher: hasher))
        }
    }

    /// Like `reload(from:)`, from sources already in memory.
    @discardableResult
    public func reload(sources: [SourceFile]) throws(PolicyLoadError) -> ReloadOutcome {
        try reloading.withLock { _ throws(PolicyLoadError) in
            install(try PolicySet.compile(sources, hasher: hasher))
        }
    }

    private func install(_ next: PolicySet) -> ReloadOutcome {
        state.withLock { current in
            let previous = current.version
            current = next
            return ReloadOutcome(previousVersion: previous, currentVersion: next.version)
        }
    }

    /// Decides with the set in force when the call starts.
    public func decide(_ request: PolicyRequest, relationships: some RelationshipResolver) async -> Decision {
        await current.decide(request, relationships: relationships)
    }
}
