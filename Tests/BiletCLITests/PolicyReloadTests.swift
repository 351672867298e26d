import Audit
import DatabaseTestSupport
import Foundation
import Logging
import Policy
import PostgreSQL
import Storage
import Testing
@testable import Platform

/// `bilet serve`'s policy reload is audited fail-closed: a new set takes effect only after its
/// `policy.reloaded` record is committed. Real PostgreSQL, the reloading process's own role (the
/// gateway's or the vault's, never `bilet_policy`).
@Suite("Policy reload: audited before the swap")
struct PolicyReloadTests {
    struct Harness {
        let database: TestDatabase
        let auditPool: PostgresConnectionPool
        let superuser: PostgresConnectionPool
        let directory: String
        let store: PolicyStore
        let reloader: AuditedPolicyReload

        static func make(writer: Component = TrustDomain.gateway.ownRole) async throws -> Harness {
            let database = try await TestPostgres.makeDatabase(migrated: true)
            let auditPool = database.components(maxConnectionsPerComponent: 2).makePool(for: writer)
            let directory = try PolicyCommandTests.copy()
            let store = try PolicyStore(directory: directory, hasher: SHA256VersionHasher())
            return Harness(
                database: database, auditPool: auditPool,
                superuser: PostgresConnectionPool(configuration: database.configuration, maxConnections: 2),
                directory: directory, store: store,
                reloader: AuditedPolicyReload(
                    store: store, directory: directory, auditPool: auditPool, log: AuditLog(lockTimeout: .milliseconds(300)),
                    logger: Logger(label: "test.policy-reload")))
        }

        /// The `policy.reloaded` records: (policy version digest, outcome), oldest first.
        func records() async throws -> [[String]] {
            try await superuser.query(
                """
                SELECT payload ->> 'policy_version', payload ->> 'outcome', actor FROM audit.events
                WHERE kind = 'policy.reloaded' ORDER BY id
                """
            ).map { [try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(String.self, at: 2)] }
        }

        /// Changes a policy file so the directory hashes to a new version; returns that version.
        func editPolicies(_ marker: String) throws -> PolicyVersion {
            let path = directory + "/pupil.policy"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try (text + "\n// \(marker)\n").write(toFile: path, atomically: true, encoding: .utf8)
            return try PolicySet.load(directory: directory, hasher: SHA256VersionHasher()).version
        }

        func shutdown() async {
            await auditPool.shutdown()
            await superuser.shutdown()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("while the audit store is locked the old set stays; once it answers the new set is swapped in with exactly one record")
    func auditUnavailableKeepsOldSet() async throws {
        let harness = try await Harness.make()
        let old = harness.store.current.version
        let new = try harness.editPolicies("reload while the audit store is locked")
        #expect(new != old)
        try await harness.superuser.withTransaction { locker in
            try await locker.execute("LOCK TABLE audit.events IN ACCESS EXCLUSIVE MODE")
            #expect(await !harness.reloader.reload(reason: "test"))
            #expect(harness.store.current.version == old)
            #expect(harness.reloader.isPending)
            // The next poll retries even though no file changed, and fails again while locked.
            await harness.reloader.reloadIfNeeded(changed: false, reason: "poll")
            #expect(harness.store.current.version == old)
            #expect(harness.reloader.isPending)
        }
        #expect(try await harness.records().isEmpty)
        await harness.reloader.reloadIfNeeded(changed: false, reason: "poll")
        #expect(harness.store.current.version == new)
        #expect(!harness.reloader.isPending)
        #expect(try await harness.records() == [[new.digest, "applied", "bilet:policy"]])
        // Nothing pending, nothing changed: no further reload and no further record.
        await harness.reloader.reloadIfNeeded(changed: false, reason: "poll")
        #expect(try await harness.records().count == 1)
        await harness.shutdown()
    }

    @Test("an unreachable audit store (pool closed) keeps the old set too")
    func auditUnreachable() async throws {
        let harness = try await Harness.make()
        let old = harness.store.current.version
        _ = try harness.editPolicies("reload with the audit pool closed")
        let closed = harness.database.components(maxConnectionsPerComponent: 1).makePool(for: .gateway)
        await closed.shutdown()
        let reloader = AuditedPolicyReload(
            store: harness.store, directory: harness.directory, auditPool: closed, logger: Logger(label: "test.policy-reload"))
        #expect(await !reloader.reload(reason: "test"))
        #expect(harness.store.current.version == old)
        #expect(try await harness.records().isEmpty)
        await harness.shutdown()
    }

    @Test("an invalid set is recorded as rejected and the set in force stays")
    func invalidSetRejected() async throws {
        let harness = try await Harness.make()
        let old = harness.store.current.version
        try "permit (principal is nobody, action, resource);\n".write(
            toFile: harness.directory + "/broken.policy", atomically: true, encoding: .utf8)
        #expect(await harness.reloader.reload(reason: "test"))
        #expect(harness.store.current.version == old)
        #expect(try await harness.records() == [[old.digest, "rejected", "bilet:policy"]])
        await harness.shutdown()
    }

    /// Finding M-1: the gateway and the vault record their reloads as their own roles, so
    /// `written_by` tells which process reloaded, and neither holds `bilet_policy` (which may write
    /// relationship facts the vault decides on) nor `bilet_account_admin`.
    @Test("each serving process records its policy reload as its own role", arguments: [TrustDomain.gateway, .vault])
    func reloadIsRecordedAsTheDomainsOwnRole(domain: TrustDomain) async throws {
        #expect(!domain.roles.contains(.policy))
        #expect(!domain.roles.contains(.accountAdmin))
        let writer = domain.ownRole
        #expect(writer == (domain == .gateway ? .gateway : .vault))
        let harness = try await Harness.make(writer: writer)
        let new = try harness.editPolicies("reload by the \(domain.rawValue)")
        #expect(await harness.reloader.reload(reason: "test"))
        #expect(harness.store.current.version == new)
        let written = try await harness.superuser.query(
            "SELECT CAST(written_by AS text) FROM audit.events WHERE kind = 'policy.reloaded'"
        ).map { try $0.decode(String.self, at: 0) }
        #expect(written == [writer.roleName])
        await harness.shutdown()
    }

    /// `bilet_policy` no longer writes `policy.reloaded` (no serving process holds it): a reload
    /// recorded through it is refused by the database, so the new set is not applied (fail closed).
    @Test("a reload recorded as bilet_policy is refused and the set in force stays")
    func policyRoleCannotRecordReloads() async throws {
        let harness = try await Harness.make(writer: .policy)
        let old = harness.store.current.version
        _ = try harness.editPolicies("reload as bilet_policy")
        #expect(await !harness.reloader.reload(reason: "test"))
        #expect(harness.store.current.version == old)
        #expect(harness.reloader.isPending)
        #expect(try await harness.records().isEmpty)
        let refused = await #expect(throws: PostgresError.self) {
            try await harness.auditPool.execute(
                "INSERT INTO audit.events (kind, actor, payload) VALUES ('policy.reloaded', 'bilet:policy', '{}')")
        }
        #expect(refused?.code == .server(.insufficientPrivilege))
        await harness.shutdown()
    }
}
