import Audit
import Logging
import Policy
import PostgreSQL
import Synchronization

/// One audited, fail-closed policy reload: a new set is validated, its `policy.reloaded`
/// (`applied`) record is committed in a transaction of its own, and only then is the set swapped
/// in. If the record cannot be written the set in force stays, the failure is logged as an error,
/// and the reload stays pending so the next poll or SIGHUP tries again. An invalid set is
/// recorded as `rejected` (the set in force stays either way).
///
/// Reloads run one after the other in the order they were asked for (a SIGHUP during a poll's
/// reload waits for it), so the order of the `policy.reloaded` records is the order the sets
/// took effect.
final class AuditedPolicyReload: Sendable {
    let store: PolicyStore
    let directory: String
    let auditPool: PostgresConnectionPool
    let log: AuditLog
    let logger: Logger
    /// The actor the records carry.
    static let actor = "bilet:policy"
    private let pending = Mutex(false)
    /// The reload asked for last; the next one starts when it has finished.
    private let last = Mutex<Task<Bool, Never>?>(nil)

    init(store: PolicyStore, directory: String, auditPool: PostgresConnectionPool, log: AuditLog = AuditLog(), logger: Logger) {
        self.store = store
        self.directory = directory
        self.auditPool = auditPool
        self.log = log
        self.logger = logger
    }

    /// Whether an earlier reload could not be recorded and must be tried again.
    var isPending: Bool { pending.withLock { $0 } }

    /// Reloads when `changed`, or when an earlier reload is still pending.
    func reloadIfNeeded(changed: Bool, reason: String) async {
        guard changed || isPending else { return }
        await reload(reason: isPending && !changed ? "retry after audit failure" : reason)
    }

    /// Validates the policy directory, records the outcome, and swaps a valid set in once its
    /// record is committed, after any reload asked for earlier has finished. Returns whether the
    /// outcome is on the record (false: pending).
    @discardableResult
    func reload(reason: String) async -> Bool {
        let task = last.withLock { previous in
            let earlier = previous
            let next = Task { [self] in
                _ = await earlier?.value
                return await reloadNow(reason: reason)
            }
            previous = next
            return next
        }
        return await task.value
    }

    private func reloadNow(reason: String) async -> Bool {
        let candidate: PolicyStore.Candidate
        do {
            candidate = try store.prepare(from: directory)
        } catch {
            let version = store.current.version
            logger.error(
                "policy reload rejected; the previous set stays in force",
                metadata: [
                    "reason": "\(reason)", "version": "\(version)",
                    "diagnostics": .array(error.diagnostics.prefix(20).map { .string("\($0)") }),
                ])
            return await record(version: version, outcome: .rejected)
        }
        guard await record(version: candidate.version, outcome: .applied) else {
            logger.error(
                "policy reload not applied: its audit record could not be written; the previous set stays in force until a retry succeeds",
                metadata: ["reason": "\(reason)", "version": "\(store.current.version)", "candidate": "\(candidate.version)"])
            return false
        }
        guard let result = store.commit(candidate) else {
            logger.notice("policy reload superseded by a newer one", metadata: ["reason": "\(reason)", "version": "\(candidate.version)"])
            return true
        }
        logger.notice(
            "policy reloaded",
            metadata: ["reason": "\(reason)", "previous": "\(result.previousVersion)", "version": "\(result.currentVersion)"])
        return true
    }

    /// Appends `policy.reloaded` in a transaction of its own; remembers a failure as pending.
    private func record(version: PolicyVersion, outcome: PolicyReloaded.Outcome) async -> Bool {
        let event = PolicyReloaded(actor: Self.actor, policyVersion: version.digest, outcome: outcome)
        do {
            try await log.append(event, using: auditPool)
            pending.withLock { $0 = false }
            return true
        } catch {
            pending.withLock { $0 = true }
            logger.error("policy reload could not be audited", metadata: ["error": "\(error)"])
            return false
        }
    }
}
