import Audit
import DatabaseTestSupport
import Foundation
import GnuTLS
import PostgreSQL
import Testing

/// Tampering with records or checkpoints, as the PostgreSQL superuser, is detected by
/// `verify`, which names the first bad record or checkpoint.
@Suite("Tamper detection (verify)")
struct TamperDetectionTests {
    /// 30 events, checkpoints 1, 2, 3 at sizes 10, 20, 30; checkpoint 3 also saved on disk.
    struct Log {
        let fixture: AuditFixture
        let directory: CheckpointDirectory
        var eventIDs: [Int64] = []

        static func make() async throws -> Log {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-audit-\(UUID().uuidString)").path
            let directory = CheckpointDirectory(path: folder, keepsHistory: true)
            let fixture = try await AuditFixture.make(directory: directory)
            for batch in 0..<3 {
                try await fixture.appendReads(batch * 10 ..< batch * 10 + 10)
                try await fixture.integrate(untilSize: UInt64(batch * 10 + 10))
            }
            var log = Log(fixture: fixture, directory: directory)
            for index in 0..<30 as Range<UInt64> {
                log.eventIDs.append(try #require(try await fixture.store.leaf(at: index)).0.eventID)
            }
            return log
        }

        func verify() async throws -> AuditVerificationReport {
            let saved = try directory.latest().map { [$0] } ?? []
            return try await AuditVerifier(pool: fixture.auditor, logKey: fixture.signer.verifier, chunkSize: 7).verify(savedCheckpoints: saved)
        }

        func sql(_ statement: SQLStatement) async throws {
            try await fixture.superuser.execute(statement)
        }
    }

    @Test("An untouched log verifies")
    func intact() async throws {
        let log = try await Log.make()
        let report = try await log.verify()
        #expect(report.findings == [])
        #expect(report.recordsChecked == 30)
        #expect(report.checkpointsVerified == 3)
        await log.fixture.shutdown()
    }

    enum Tamper: String, CaseIterable, Sendable {
        case editRecordColumn, editPayload, deleteRecord, reorderRecords, reorderLeaves, insertRecord
        case editRecordAndLeafHash, removePayload, editCheckpointNote, editCheckpointColumns, deleteMiddleCheckpoint
        case deleteNewestCheckpoint, truncateNewestRecords, truncateRecordsAndCheckpoint, fork, deleteLeaf
        case editWriter, clearWriter, editWriterAndLeafHash
    }

    @Test("Tampering as the superuser is detected and named", arguments: Tamper.allCases)
    func tamper(_ tamper: Tamper) async throws {
        let log = try await Log.make()
        let id5 = log.eventIDs[5]
        let expected: AuditFinding
        switch tamper {
        case .editRecordColumn:
            try await log.sql("UPDATE audit.events SET actor = 'bilet://school/00-0000/ws/9' WHERE id = \(id5)")
            expected = .recordAltered(leafIndex: 5, eventID: id5)
        case .editPayload:
            try await log.sql("UPDATE audit.events SET payload = jsonb_set(payload, '{fields_returned}', '[]') WHERE id = \(id5)")
            expected = .recordAltered(leafIndex: 5, eventID: id5)
        case .deleteRecord:
            try await log.sql("DELETE FROM audit.events WHERE id = \(id5)")
            expected = .recordDeleted(leafIndex: 5, eventID: id5)
        case .reorderRecords:
            // Swap the contents of two records (their subjects and payloads).
            try await log.sql(
                """
                UPDATE audit.events e SET subject = o.subject, payload = o.payload
                FROM audit.events o
                WHERE (e.id, o.id) IN ((\(log.eventIDs[3]), \(log.eventIDs[4])), (\(log.eventIDs[4]), \(log.eventIDs[3])))
                """)
            expected = .recordAltered(leafIndex: 3, eventID: log.eventIDs[3])
        case .reorderLeaves:
            try await log.sql("ALTER TABLE audit.leaves DROP CONSTRAINT leaves_event_id_key")
            try await log.sql(
                "UPDATE audit.leaves SET event_id = CASE leaf_index WHEN 3 THEN \(log.eventIDs[4]) ELSE \(log.eventIDs[3]) END WHERE leaf_index IN (3, 4)")
            expected = .recordAltered(leafIndex: 3, eventID: log.eventIDs[4])
        case .insertRecord:
            try await log.sql(
                """
                INSERT INTO audit.events (id, xid, recorded_at, kind, catalogue_version, actor, subject, decision, purpose, payload)
                OVERRIDING SYSTEM VALUE
                SELECT 900000, xid, recorded_at, kind, catalogue_version, actor, subject, decision, purpose, payload
                FROM audit.events WHERE id = \(id5)
                """)
            expected = .recordInserted(eventID: 900_000)
        case .editRecordAndLeafHash:
            // The attacker edits a record and rewrites its leaf hash and digest to match.
            let (_, original) = try #require(try await log.fixture.store.leaf(at: 5))
            let record = try #require(original)
            let forged = AuditRecord(
                id: record.id, recordedAtMicroseconds: record.recordedAtMicroseconds, kind: record.kind,
                catalogueVersion: record.catalogueVersion, actor: "bilet://school/00-0000/ws/9", subject: record.subject,
                decision: record.decision, purpose: record.purpose, payload: record.payload, writtenBy: record.writtenBy)
            try await log.sql("UPDATE audit.events SET actor = 'bilet://school/00-0000/ws/9' WHERE id = \(id5)")
            try await log.sql(
                "UPDATE audit.leaves SET leaf_hash = \(forged.leafHash(payloadDigest: forged.payloadDigest).bytes) WHERE leaf_index = 5")
            expected = .checkpointRootMismatch(sequence: 1, treeSize: 10, firstSuspectLeaf: 0)
        case .removePayload:
            try await log.sql("UPDATE audit.events SET payload = NULL WHERE id = \(id5)")
            expected = .payloadRemoved(leafIndex: 5, eventID: id5)
        case .editCheckpointNote:
            try await log.sql("UPDATE audit.checkpoints SET note = replace(note, E'\\n20\\n', E'\\n19\\n'), tree_size = 19 WHERE sequence = 2")
            expected = .checkpointSignatureInvalid(sequence: 2)
        case .editCheckpointColumns:
            try await log.sql("UPDATE audit.checkpoints SET tree_size = 19 WHERE sequence = 2")
            expected = .checkpointRowAltered(sequence: 2)
        case .deleteMiddleCheckpoint:
            try await log.sql("DELETE FROM audit.checkpoints WHERE sequence = 2")
            expected = .checkpointMissing(sequence: 2)
        case .deleteNewestCheckpoint:
            // Only the copy outside the database still remembers it.
            try await log.sql("DELETE FROM audit.checkpoints WHERE sequence = 3")
            expected = .savedCheckpointMissing(sequence: 3, treeSize: 30)
        case .truncateNewestRecords:
            try await log.sql("DELETE FROM audit.events WHERE id IN (SELECT event_id FROM audit.leaves WHERE leaf_index >= 25)")
            try await log.sql("DELETE FROM audit.leaves WHERE leaf_index >= 25")
            expected = .truncated(sequence: 3, checkpointSize: 30, logSize: 25)
        case .truncateRecordsAndCheckpoint:
            // Everything in the database that mentions the newest records goes; only the saved
            // checkpoint file remembers them.
            try await log.sql("DELETE FROM audit.events WHERE id IN (SELECT event_id FROM audit.leaves WHERE leaf_index >= 20)")
            try await log.sql("DELETE FROM audit.leaves WHERE leaf_index >= 20")
            try await log.sql("DELETE FROM audit.tree_nodes")
            try await log.sql("DELETE FROM audit.checkpoints WHERE sequence = 3")
            expected = .truncated(sequence: 3, checkpointSize: 30, logSize: 20)
        case .fork:
            // The log key signed a second, different history of size 20.
            let forked = try Checkpoint(
                origin: AuditFixture.origin, size: 20, root: MerkleHasher.leafHash(Array("other history".utf8)), sequence: 4, time: Date())
            let signed = try SignedCheckpoint(forked, signer: log.fixture.signer)
            try await log.sql(
                """
                INSERT INTO audit.checkpoints (sequence, tree_size, root_hash, signed_at, note)
                VALUES (4, 20, \(forked.root.bytes), now(), \(signed.serialized))
                """)
            expected = .fork(sequence: 2, otherSequence: 4, treeSize: 20)
        case .deleteLeaf:
            try await log.sql("DELETE FROM audit.leaves WHERE leaf_index = 7")
            expected = .leafMissing(leafIndex: 7)
        case .editWriter:
            // The record claims another component wrote it: the leaf commits to the writer.
            try await log.sql("UPDATE audit.events SET written_by = 'bilet_gateway' WHERE id = \(id5)")
            expected = .recordAltered(leafIndex: 5, eventID: id5)
        case .clearWriter:
            // Passing a record off as one written before writers were recorded (leaf format 1).
            try await log.sql("UPDATE audit.events SET written_by = '' WHERE id = \(id5)")
            expected = .recordAltered(leafIndex: 5, eventID: id5)
        case .editWriterAndLeafHash:
            let (_, original) = try #require(try await log.fixture.store.leaf(at: 5))
            let record = try #require(original)
            #expect(record.writtenBy == "bilet_vault")
            let forged = AuditRecord(
                id: record.id, recordedAtMicroseconds: record.recordedAtMicroseconds, kind: record.kind,
                catalogueVersion: record.catalogueVersion, actor: record.actor, subject: record.subject,
                decision: record.decision, purpose: record.purpose, payload: record.payload, writtenBy: "bilet_gateway")
            try await log.sql("UPDATE audit.events SET written_by = 'bilet_gateway' WHERE id = \(id5)")
            try await log.sql(
                "UPDATE audit.leaves SET leaf_hash = \(forged.leafHash(payloadDigest: forged.payloadDigest).bytes) WHERE leaf_index = 5")
            expected = .checkpointRootMismatch(sequence: 1, treeSize: 10, firstSuspectLeaf: 0)
        }
        let report = try await log.verify()
        #expect(!report.isIntact)
        #expect(report.findings.contains(expected), "\(report.findings)")
        if tamper == .fork {
            // The records disagree with the forged checkpoint first, and the fork is named too.
            #expect(report.findings.first == .checkpointRootMismatch(sequence: 4, treeSize: 20, firstSuspectLeaf: 10), "\(report.findings)")
        } else {
            #expect(report.findings.first == expected, "\(report.findings)")
        }
        await log.fixture.shutdown()
    }
}
