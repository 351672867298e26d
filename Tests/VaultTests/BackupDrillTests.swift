import Audit
import Backups
import DatabaseTestSupport
import Foundation
import GnuTLS
import PostgreSQL
import Storage
import Testing
import Tokens
@testable import Vault

/// The restore drill (issue 15, part 5): synthetic pupils registered through the vault's door,
/// checkpoints signed and saved outside the database, a backup, an erasure after it, a restore into
/// a fresh PostgreSQL cluster; the data reads back, the audit log verifies against the saved
/// checkpoints, and the pupil erased after the backup stays erased.
@Suite("bilet backup: the restore drill")
struct BackupDrillTests {
    /// A PostgreSQL cluster of its own with an empty database `restored` in it.
    static func freshCluster() async throws -> LocalCluster {
        let cluster = try await TestPostgres.makeDedicatedCluster()
        let admin = PostgresConnectionPool(configuration: cluster.configuration(database: "postgres"), maxConnections: 1)
        try await admin.execute("CREATE DATABASE restored TEMPLATE template0 ENCODING 'UTF8'")
        await admin.shutdown()
        return cluster
    }

    @Test("restored into a fresh cluster: data reads back, the audit log verifies, a pupil erased after the backup stays erased")
    func drill() async throws {
        let fixture = try await VaultFixture.make()
        let kept = try await fixture.family(901, purposes: ["parent_request"])
        let erased = try await fixture.family(902, purposes: ["parent_request"])
        let files = try TemporaryDirectory()
        defer { files.remove() }

        // The sequencer signs checkpoints into the database and saves each outside it, as the platform does.
        let checkpoints = files.file("checkpoints")
        let auditor = fixture.database.components(maxConnectionsPerComponent: 2).makePool(for: .audit)
        let signer = try NoteSigner(name: "bilet.test/audit", privateKey: try PrivateKey.generate(algorithm: .ed25519))
        let sequencer = AuditSequencer(pool: auditor, signer: signer, directory: CheckpointDirectory(path: checkpoints, keepsHistory: true))
        let signedBefore = try #require(try await sequencer.catchUp())
        // The source's transaction ids are well above any a fresh cluster hands out at first (the
        // shared test cluster usually is already): the fresh cluster's new events would sort below the
        // restored cursor if nothing rebased them.
        try await fixture.database.withPool(maxConnections: 1) { pool in
            while try await pool.query("SELECT CAST(CAST(pg_current_xact_id() AS text) AS int8)").singleValue(Int64.self) < 5000 {}
        }

        let backup = files.file("drill.bilet-backup")
        let secret = UnsealSecret.passphrase(fixture.passphrase)
        let made = try await BackupCreation.create(owner: fixture.database.configuration, to: backup, secret: secret)
        #expect(made.manifest.newestCheckpoint?.sequence == Int64(try #require(signedBefore.checkpoint.sequence)))

        // After the backup: the pupil is erased (her guardian with her), and the log moves on.
        let receipt = try await fixture.vault.eraseWithReceipt(erased.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        #expect(receipt.erased == [erased.pupil.token, erased.guardian])
        try #require(try await sequencer.catchUp() != nil)
        await auditor.shutdown()

        // Without a saved copy of the backup's newest checkpoint the restore does not start.
        let noCopy = await #expect(throws: BackupError.self) {
            try await BackupRestore.restore(
                backup: backup, secret: secret, target: fixture.database.configuration, live: fixture.database.configuration,
                checkpointDirectory: files.file("nowhere"), logKey: signer.verifier, policies: fixture.policies)
        }
        #expect(noCopy == .checkpointNotSaved(sequence: made.manifest.newestCheckpoint!.sequence))

        // A fresh cluster, an empty database.
        let cluster = try await Self.freshCluster()
        let target = cluster.configuration(database: "restored")

        let report = try await BackupRestore.restore(
            backup: backup, secret: secret, target: target, live: fixture.database.configuration, checkpointDirectory: checkpoints,
            logKey: signer.verifier, policies: fixture.policies)
        #expect(report.summary == made)
        #expect(report.auditCheckpointsVerified >= 1)
        #expect(report.savedCheckpointsUsed >= 1)
        #expect(report.auditRecordsChecked == signedBefore.checkpoint.size)
        // Two register entries came after the backup: the pupil (re-erased, her guardian with her) and
        // the guardian (already destroyed by then).
        let outcomes = report.reapplied.map { ($0.entry.subject, try? $0.outcome.get()) }
        #expect(outcomes.count == 2)
        #expect(outcomes.first { $0.0 == erased.pupil.token }?.1 == .erased([erased.pupil.token, erased.guardian]))
        #expect(outcomes.first { $0.0 == erased.guardian }?.1 == .alreadyDestroyed)
        #expect(report.isComplete)

        // The restored vault, as the vault process would open it.
        let pool = PostgresConnectionPool(configuration: cluster.configuration(database: "restored", user: "bilet_vault"), maxConnections: 2)
        let restored = Vault(pool: pool, policies: fixture.policies, audit: AuditLog(), configuration: fixture.vault.configuration)
        try await restored.unseal(with: secret, by: "admin:test")
        let request = try await restored.registerAccessRequest(
            for: kept.pupil.token, receivedOn: CivilDate(Date()).iso, by: Principals.school()
        ).reference
        let data = try await restored.read(
            .subject(kept.pupil.token), fields: [.surname], purpose: "parent_request", request: request, by: Principals.school())
        #expect(data.fields[.surname] == .plain(try FieldRules.normalise(Synthetic.pupilValues(901)[.surname]!, for: .surname)))
        let gone = await #expect(throws: VaultError.self) {
            try await restored.read(.subject(erased.pupil.token), fields: [.surname], purpose: "parent_request", by: Principals.school())
        }
        #expect(gone?.code == .subjectErased)
        let pupilToken = erased.pupil.token.rawValue
        let guardianToken = erased.guardian.rawValue
        let keys = try await pool.query(
            "SELECT count(*) FROM vault.subjects WHERE data_key IS NOT NULL AND token IN (\(pupilToken), \(guardianToken))"
        ).singleValue(Int64.self)
        #expect(keys == 0)
        await pool.shutdown()

        // The fresh cluster's transaction ids were below the restored events' (the restore rebased
        // them); the records written after the restore (the re-applied erasure, the unseal, the read)
        // are integrated by a sequencer over the restored database and the whole log verifies.
        let restoredAuditor = PostgresConnectionPool(configuration: cluster.configuration(database: "restored", user: "bilet_audit"), maxConnections: 2)
        let offset = try await restoredAuditor.query("SELECT CAST(max(xid_offset) AS int8) FROM audit.xid_rebases").singleValue(Int64.self)
        #expect(offset > 0)
        let restoredSequencer = AuditSequencer(pool: restoredAuditor, signer: signer)
        let signedAfter = try #require(try await restoredSequencer.catchUp())
        let events = try await restoredAuditor.query("SELECT count(*) FROM audit.events").singleValue(Int64.self)
        #expect(signedAfter.checkpoint.size == UInt64(events))
        #expect(signedAfter.checkpoint.size > signedBefore.checkpoint.size)
        let pending = try await restoredAuditor.query(
            "SELECT count(*) FROM audit.events e WHERE NOT EXISTS (SELECT 1 FROM audit.leaves l WHERE l.event_id = e.id)"
        ).singleValue(Int64.self)
        #expect(pending == 0)
        // What `bilet audit verify` runs (AuditQueryService.verify) over the restored log.
        let restoredGateway = PostgresConnectionPool(configuration: cluster.configuration(database: "restored", user: "bilet_gateway"), maxConnections: 1)
        let verified = try await AuditQueryService(
            reader: restoredAuditor, recorder: restoredGateway, officer: "user:usr_officer", purpose: "audit_verify"
        ).verify(logKey: signer.verifier)
        await restoredGateway.shutdown()
        #expect(verified.findings.isEmpty)
        #expect(verified.recordsChecked == UInt64(events))
        await restoredAuditor.shutdown()

        // The restored database is not empty any more: a second restore into it is refused.
        let again = await #expect(throws: BackupError.self) {
            try await BackupRestore.restore(
                backup: backup, secret: secret, target: target, live: fixture.database.configuration, checkpointDirectory: checkpoints,
                logKey: signer.verifier, policies: fixture.policies)
        }
        #expect(again == .targetNotEmpty)
        try await cluster.stop()
        await fixture.shutdown()
    }

    /// A throwaway log key: the restores below have no signed checkpoint to check it against.
    static func unusedLogKey() throws -> NoteVerifierKey {
        try NoteSigner(name: "bilet.test/audit", privateKey: try PrivateKey.generate(algorithm: .ed25519)).verifier
    }

    /// How many of `tokens` hold a data key in `pool`'s database.
    static func dataKeys(of tokens: [SubjectToken], in pool: PostgresConnectionPool) async throws -> Int64 {
        let list = tokens.map(\.rawValue).joined(separator: ",")
        return try await pool.query(
            "SELECT count(*) FROM vault.subjects WHERE data_key IS NOT NULL AND token = ANY(string_to_array(\(list), ','))"
        ).singleValue(Int64.self)
    }

    @Test("an erasure timed before the backup's snapshot but committed after it is re-applied: the pupil stays erased")
    func erasureCommittedAfterSnapshot() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(903, purposes: ["parent_request"])
        let files = try TemporaryDirectory()
        defer { files.remove() }
        let backup = files.file("late.bilet-backup")
        let secret = UnsealSecret.passphrase(fixture.passphrase)
        let made = try await BackupCreation.create(owner: fixture.database.configuration, to: backup, secret: secret)

        // The register row's time is taken at its insert, before the erasure commits: an erasure that
        // committed after the snapshot can carry a time before it (here 5 s before the backup).
        let token = family.pupil.token.rawValue
        let destroyedAt = made.manifest.createdAt.addingTimeInterval(-5)
        try await fixture.asSuperuser { pool in
            try await pool.execute(
                """
                INSERT INTO vault.destruction_register (subject_token, subject_kind, scope, categories, method, reason, requested_by, destroyed_at)
                VALUES (\(token), 'pupil', 'subject', ARRAY['surname'], 'crypto_shredding', 'subject_request', 'user:usr_operator', \(destroyedAt))
                """)
        }

        let cluster = try await Self.freshCluster()
        let report = try await BackupRestore.restore(
            backup: backup, secret: secret, target: cluster.configuration(database: "restored"), live: fixture.database.configuration,
            checkpointDirectory: files.file("checkpoints"), logKey: try Self.unusedLogKey(), policies: fixture.policies)
        #expect(report.reapplied.map(\.entry.subject) == [family.pupil.token])
        #expect(report.reapplied.map { try? $0.outcome.get() } == [.erased([family.pupil.token, family.guardian])])
        #expect(report.isComplete)

        let pool = PostgresConnectionPool(configuration: cluster.configuration(database: "restored", user: "bilet_vault"), maxConnections: 2)
        let restored = Vault(pool: pool, policies: fixture.policies, audit: AuditLog(), configuration: fixture.vault.configuration)
        try await restored.unseal(with: secret, by: "admin:test")
        let gone = await #expect(throws: VaultError.self) {
            try await restored.read(.subject(family.pupil.token), fields: [.surname], purpose: "parent_request", by: Principals.school())
        }
        #expect(gone?.code == .subjectErased)
        #expect(try await Self.dataKeys(of: [family.pupil.token, family.guardian], in: pool) == 0)
        await pool.shutdown()
        try await cluster.stop()
        await fixture.shutdown()
    }

    @Test("a restore whose audit log does not verify (a wrong log key) still leaves no data key of a pupil erased since the backup")
    func failedVerificationKeepsErasures() async throws {
        let fixture = try await VaultFixture.make()
        let erased = try await fixture.family(904, purposes: ["parent_request"])
        let files = try TemporaryDirectory()
        defer { files.remove() }
        let checkpoints = files.file("checkpoints")
        let auditor = fixture.database.components(maxConnectionsPerComponent: 2).makePool(for: .audit)
        let signer = try NoteSigner(name: "bilet.test/audit", privateKey: try PrivateKey.generate(algorithm: .ed25519))
        let sequencer = AuditSequencer(pool: auditor, signer: signer, directory: CheckpointDirectory(path: checkpoints, keepsHistory: true))
        try #require(try await sequencer.catchUp() != nil)
        await auditor.shutdown()
        let backup = files.file("unverified.bilet-backup")
        let secret = UnsealSecret.passphrase(fixture.passphrase)
        _ = try await BackupCreation.create(owner: fixture.database.configuration, to: backup, secret: secret)
        _ = try await fixture.vault.eraseWithReceipt(erased.pupil.token, reason: .subjectRequest, by: "user:usr_operator")

        let cluster = try await Self.freshCluster()
        let failed = await #expect(throws: BackupError.self) {
            try await BackupRestore.restore(
                backup: backup, secret: secret, target: cluster.configuration(database: "restored"), live: fixture.database.configuration,
                checkpointDirectory: checkpoints, logKey: try Self.unusedLogKey(), policies: fixture.policies)
        }
        guard case .auditLogNotVerified = failed else {
            Issue.record("expected backup.audit_log_not_verified, got \(String(describing: failed))")
            return
        }
        let pool = PostgresConnectionPool(configuration: cluster.configuration(database: "restored"), maxConnections: 1)
        #expect(try await Self.dataKeys(of: [erased.pupil.token, erased.guardian], in: pool) == 0)
        await pool.shutdown()
        try await cluster.stop()
        await fixture.shutdown()
    }

    @Test("an erasure the restore cannot re-apply (a reason the vault does not know) drops the restored data, though the log verifies")
    func unreappliedErasureDropsTheRestore() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(906, purposes: ["parent_request"])
        let files = try TemporaryDirectory()
        defer { files.remove() }
        let backup = files.file("unreapplied.bilet-backup")
        let secret = UnsealSecret.passphrase(fixture.passphrase)
        _ = try await BackupCreation.create(owner: fixture.database.configuration, to: backup, secret: secret)
        let token = family.pupil.token.rawValue
        try await fixture.asSuperuser { pool in
            try await pool.execute(
                """
                INSERT INTO vault.destruction_register (subject_token, subject_kind, scope, categories, method, reason, requested_by, destroyed_at)
                VALUES (\(token), 'pupil', 'subject', ARRAY['surname'], 'crypto_shredding', 'not_a_reason', 'user:usr_operator', clock_timestamp())
                """)
        }

        let cluster = try await Self.freshCluster()
        let report = try await BackupRestore.restore(
            backup: backup, secret: secret, target: cluster.configuration(database: "restored"), live: fixture.database.configuration,
            checkpointDirectory: files.file("checkpoints"), logKey: try Self.unusedLogKey(), policies: fixture.policies)
        #expect(!report.isComplete)
        #expect(report.reapplied.map(\.entry.subject) == [family.pupil.token])
        // Nothing of the restore is left: the pupil's data key went with the rest.
        let pool = PostgresConnectionPool(configuration: cluster.configuration(database: "restored"), maxConnections: 1)
        let schemas = try await pool.query("SELECT count(*) FROM pg_namespace WHERE nspname IN ('vault', 'audit')").singleValue(Int64.self)
        #expect(schemas == 0)
        await pool.shutdown()
        try await cluster.stop()
        await fixture.shutdown()
    }

    @Test("a field destroyed after the backup (health data, consent withdrawn) is destroyed again on restore")
    func fieldDestructionReapplied() async throws {
        let clock = MovableClock()
        let fixture = try await VaultFixture.make(clock: clock.vaultClock)
        let family = try await fixture.family(905, purposes: ["parent_request"], healthPurposes: ["parent_request"], now: clock.now)
        let files = try TemporaryDirectory()
        defer { files.remove() }
        let backup = files.file("fields.bilet-backup")
        let secret = UnsealSecret.passphrase(fixture.passphrase)
        _ = try await BackupCreation.create(owner: fixture.database.configuration, to: backup, secret: secret)

        // After the backup: the health consent is withdrawn and, 30 days on, the field destroyed.
        let health = try #require(try await fixture.vault.consents(of: family.pupil.token, by: Principals.school()).first { $0.healthData })
        try await fixture.vault.withdrawConsent(health.token, by: Principals.school())
        clock.advance(days: 31)
        #expect(try await fixture.vault.runRetention().fieldDeadlinesDone == 1)

        let cluster = try await Self.freshCluster()
        let report = try await BackupRestore.restore(
            backup: backup, secret: secret, target: cluster.configuration(database: "restored"), live: fixture.database.configuration,
            checkpointDirectory: files.file("checkpoints"), logKey: try NoteSigner(
                name: "bilet.test/audit", privateKey: try PrivateKey.generate(algorithm: .ed25519)
            ).verifier, policies: fixture.policies)
        let outcomes = report.reapplied.map { try? $0.outcome.get() }
        #expect(outcomes == [.fieldsDestroyed([FieldName.disabilityStatus.rawValue])])

        let pool = PostgresConnectionPool(configuration: cluster.configuration(database: "restored"), maxConnections: 1)
        let subject = family.pupil.token.rawValue
        let remaining = try await pool.query(
            """
            SELECT name FROM vault.fields f JOIN vault.subjects s ON s.id = f.subject_id WHERE s.token = \(subject) ORDER BY name
            """
        ).map { try $0.decode(String.self, at: 0) }
        #expect(!remaining.isEmpty)
        #expect(!remaining.contains(FieldName.disabilityStatus.rawValue))
        await pool.shutdown()
        try await cluster.stop()
        await fixture.shutdown()
    }
}
