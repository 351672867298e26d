import Synchronization

/// Holds the current policy set and swaps it atomically on reload.
///
/// A reload validates the new set completely before swapping; if it is invalid, the old set stays
/// in force and the error says why. A reload that must be recorded first splits in two:
/// ``prepare(from:)`` validates, the caller records, ``commit(_:)`` swaps. Decisions already running keep the set they started with.
/// File watching and signals are the gateway's business: it calls `reload`.
public final class PolicyStore: Sendable {
    /// The set in force and the ticket of the reload that installed it.
    private struct Installed {
        var set: PolicySet
        var ticket: UInt64
    }

    private let state: Mutex<Installed>
    /// Held while a set is loaded (and, for ``reload(from:)``, installed); holds the last ticket
    /// issued. Tickets number reloads in the order they started, so a slow reload of older files
    /// can never overwrite a newer set that a later reload installed. Decisions never wait for it.
    private let reloading = Mutex<UInt64>(0)
    private let hasher: any PolicyVersionHasher

    /// The result of a successful reload, for the audit log.
    public struct ReloadOutcome: Hashable, Sendable {
        public var previousVersion: PolicyVersion
        public var currentVersion: PolicyVersion
        /// False when the new source hashed to the same version.
        public var changed: Bool { previousVersion != currentVersion }
    }

    /// A policy set loaded, checked and compiled by ``prepare(from:)`` but not yet in force: the
    /// caller records it (the audit log's `policy.reloaded`) and then ``commit(_:)``s it.
    public struct Candidate: Sendable {
        /// The validated set.
        public let set: PolicySet
        /// When the reload started, relative to the others.
        let ticket: UInt64

        /// The candidate's version.
        public var version: PolicyVersion { self.set.version }
    }

    /// Creates a store serving `initial`; reloads hash with `hasher`.
    public init(initial: PolicySet, hasher: some PolicyVersionHasher) {
        state = Mutex(Installed(set: initial, ticket: 0))
        self.hasher = hasher
    }

    /// Creates a store from the policy directory, or throws why it is invalid.
    public convenience init(directory: String, hasher: some PolicyVersionHasher) throws(PolicyLoadError) {
        self.init(initial: try PolicySet.load(directory: directory, hasher: hasher), hasher: hasher)
    }

    /// The set in force now.
    public var current: PolicySet {
        state.withLock { $0.set }
    }

    /// Loads, checks and compiles the policy directory, then swaps it in. On any problem the
    /// current set stays and the diagnostics are thrown. Concurrent reloads run one after the
    /// other, in the order they started.
    @discardableResult
    public func reload(from directory: String) throws(PolicyLoadError) -> ReloadOutcome {
        try reloading.withLock { ticket throws(PolicyLoadError) in
            let next = try PolicySet.load(directory: directory, hasher: hasher)
            ticket += 1
            // Tickets are issued under this lock, so none is newer than this one yet.
            return install(next, ticket: ticket)!
        }
    }

    /// Like `reload(from:)`, from sources already in memory.
    @discardableResult
    public func reload(sources: [SourceFile]) throws(PolicyLoadError) -> ReloadOutcome {
        try reloading.withLock { ticket throws(PolicyLoadError) in
            let next = try PolicySet.compile(sources, hasher: hasher)
            ticket += 1
            return install(next, ticket: ticket)!
        }
    }

    /// The first half of a reload that must be recorded before it takes effect: loads, checks and
    /// compiles the policy directory without touching the set in force. On any problem the
    /// diagnostics are thrown.
    public func prepare(from directory: String) throws(PolicyLoadError) -> Candidate {
        try reloading.withLock { ticket throws(PolicyLoadError) in
            let next = try PolicySet.load(directory: directory, hasher: hasher)
            ticket += 1
            return Candidate(set: next, ticket: ticket)
        }
    }

    /// The second half: swaps `candidate` in, unless a reload that started after it is already in
    /// force (then nothing changes and the result is nil).
    public func commit(_ candidate: Candidate) -> ReloadOutcome? {
        install(candidate.set, ticket: candidate.ticket)
    }

    private func install(_ next: PolicySet, ticket: UInt64) -> ReloadOutcome? {
        state.withLock { current in
            guard ticket > current.ticket else { return nil }
            let previous = current.set.version
            current = Installed(set: next, ticket: ticket)
            return ReloadOutcome(previousVersion: previous, currentVersion: next.version)
        }
    }

    /// Decides with the set in force when the call starts.
    public func decide(_ request: PolicyRequest, relationships: some RelationshipResolver) async -> Decision {
        await current.decide(request, relationships: relationships)
    }
}
