import Audit
import DatabaseTestSupport
import Foundation
import GnuTLS
import PostgreSQL
import Storage

/// A migrated throwaway database with the pools a real deployment has: an application role that
/// appends (the vault by default, the one role allowed to write `pii.read`), the gateway that
/// records reads of the log (`audit.read`), the sequencer's role, and the superuser (for
/// tampering, as an attacker would).
struct AuditFixture {
    static let origin = "bilet.test/audit"

    let database: TestDatabase
    let appender: PostgresConnectionPool
    let recorder: PostgresConnectionPool
    let auditor: PostgresConnectionPool
    let superuser: PostgresConnectionPool
    let signer: NoteSigner
    let sequencer: AuditSequencer
    let log = AuditLog()

    var store: PostgresAuditStore { PostgresAuditStore(pool: auditor) }

    static func make(
        appenderRole: Component = .vault, signing: SignatureAlgorithm = .ed25519, directory: CheckpointDirectory? = nil,
        batchSize: Int = 5000
    ) async throws -> AuditFixture {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let components = database.components(maxConnectionsPerComponent: 4)
        let auditor = components.makePool(for: .audit)
        let signer = try NoteSigner(name: origin, privateKey: try PrivateKey.generate(algorithm: signing))
        return AuditFixture(
            database: database,
            appender: components.makePool(for: appenderRole),
            recorder: components.makePool(for: .gateway),
            auditor: auditor,
            superuser: PostgresConnectionPool(configuration: database.configuration, maxConnections: 2),
            signer: signer,
            sequencer: AuditSequencer(pool: auditor, signer: signer, directory: directory, batchSize: batchSize))
    }

    func shutdown() async {
        await appender.shutdown()
        await recorder.shutdown()
        await auditor.shutdown()
        await superuser.shutdown()
    }

    /// A valid synthetic pii.read event about subject number `n`.
    static func read(_ n: Int, actor: String = "bilet://school/77-1234/ws/3", decision: String = "permit") -> AuditEvent {
        AuditEvent(
            type: "pii.read", actor: actor, subject: token(n), decision: decision, purpose: "career_guidance",
            fields: [
                "fields_requested": .list(["birth_date", "full_name"]),
                "fields_returned": .list(decision == "permit" ? ["birth_date", "full_name"] : []),
                "consent": .string("con_" + String(repeating: "c", count: 12) + String(format: "%08d", n)),
            ])
    }

    static func token(_ n: Int) -> String {
        "sub_" + String(repeating: "a", count: 12) + String(format: "%08d", n)
    }

    /// Integrates until the tree holds `size` leaves (other tests' open transactions anywhere in
    /// the cluster hold the snapshot's xmin back for a moment), then signs a checkpoint.
    @discardableResult
    func integrate(untilSize size: UInt64) async throws -> SignedCheckpoint? {
        let deadline = ContinuousClock.now + .seconds(30)
        while try await sequencer.integrate().treeSize < size {
            guard ContinuousClock.now < deadline else { throw AuditError(.unavailable, "integration did not reach \(size)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await sequencer.checkpoint()
    }

    /// Appends `count` events, each in its own transaction.
    func appendReads(_ range: Range<Int>) async throws {
        for n in range {
            try await log.append(Self.read(n), using: appender)
        }
    }
}
