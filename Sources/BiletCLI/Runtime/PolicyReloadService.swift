import Audit
import Foundation
import Logging
import Policy
import PostgreSQL
import ServiceLifecycle
import UnixSignals

/// Keeps the policy set in force current in `bilet serve`: reloads on SIGHUP and when a file in
/// the policy directory changes (checked every `pollInterval` by stat). A new set is validated
/// completely, then swapped atomically; an invalid set keeps the old one and the log says why.
/// Every reload, applied or rejected, is recorded in the audit log as `policy.reloaded`.
struct PolicyReloadService: Service {
    let store: PolicyStore
    let directory: String
    let auditPool: PostgresConnectionPool
    let pollInterval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) {
                        await self.reload(reason: "SIGHUP")
                    }
                }
                group.addTask {
                    var stamp = PolicyDirectoryStamp(directory: self.directory)
                    while (try? await Task.sleep(for: self.pollInterval)) != nil {
                        let now = PolicyDirectoryStamp(directory: self.directory)
                        if now != stamp {
                            stamp = now
                            await self.reload(reason: "files changed")
                        }
                    }
                }
            }
        }
        await auditPool.shutdown()
    }

    func reload(reason: String) async {
        let outcome: String
        let version: PolicyVersion
        do {
            let result = try store.reload(from: directory)
            outcome = "applied"
            version = result.currentVersion
            logger.notice(
                "policy reloaded",
                metadata: ["reason": "\(reason)", "previous": "\(result.previousVersion)", "version": "\(version)"])
        } catch {
            outcome = "rejected"
            version = store.current.version
            logger.error(
                "policy reload rejected; the previous set stays in force",
                metadata: [
                    "reason": "\(reason)", "version": "\(version)",
                    "diagnostics": .array(error.diagnostics.prefix(20).map { .string("\($0)") }),
                ])
        }
        let event = AuditEvent(
            type: "policy.reloaded", actor: "bilet:policy",
            fields: ["policy_version": .string(version.digest), "outcome": .string(outcome)])
        do {
            try await AuditLog().append(event, using: auditPool)
        } catch {
            logger.error("policy reload could not be audited", metadata: ["error": "\(error)"])
        }
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
