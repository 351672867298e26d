import Foundation
import Logging
import Policy
import PostgreSQL
import ServiceLifecycle
import UnixSignals

/// Keeps the policy set in force current in `bilet serve`: reloads on SIGHUP and when a file in
/// the policy directory changes (checked every `pollInterval` by stat). A new set is validated
/// completely, recorded in the audit log as `policy.reloaded`, and only then swapped in
/// atomically (see ``AuditedPolicyReload``): a set that cannot be audited is not applied, and the
/// next poll tries again. An invalid set keeps the old one and the log says why.
struct PolicyReloadService: Service {
    let store: PolicyStore
    let directory: String
    let auditPool: PostgresConnectionPool
    let pollInterval: Duration
    let logger: Logger
    let reloader: AuditedPolicyReload

    init(store: PolicyStore, directory: String, auditPool: PostgresConnectionPool, pollInterval: Duration, logger: Logger) {
        self.store = store
        self.directory = directory
        self.auditPool = auditPool
        self.pollInterval = pollInterval
        self.logger = logger
        self.reloader = AuditedPolicyReload(store: store, directory: directory, auditPool: auditPool, logger: logger)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) {
                        await self.reloader.reload(reason: "SIGHUP")
                    }
                }
                group.addTask {
                    var stamp = PolicyDirectoryStamp(directory: self.directory)
                    while (try? await Task.sleep(for: self.pollInterval)) != nil {
                        let now = PolicyDirectoryStamp(directory: self.directory)
                        let changed = now != stamp
                        stamp = now
                        await self.reloader.reloadIfNeeded(changed: changed, reason: "files changed")
                    }
                }
            }
        }
        await auditPool.shutdown()
    }
}

/// Names, sizes and modification times of the files in the policy directory tree: a cheap way
/// to notice that something changed.
struct PolicyDirectoryStamp: Equatable {
    let entries: [String]

    init(directory: String) {
        let manager = FileManager.default
        let paths = (manager.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
        entries = paths.map { path in
            let attributes = try? manager.attributesOfItem(atPath: directory + "/" + path)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(path)|\(size)|\(modified)"
        }
    }
}
