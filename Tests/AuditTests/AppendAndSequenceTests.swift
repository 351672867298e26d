import Audit
import DatabaseTestSupport
import Foundation
import GnuTLS
import PostgreSQL
import Storage
import Testing

@Suite("Append path and sequencer")
struct AppendAndSequenceTests {
    /// The clock stepped back an hour (issue #15): the previous checkpoint's time is then an hour
    /// ahead of the clock; the next checkpoint is still signed, with a time not before it.
    @Test("A checkpoint's time never goes back after the clock stepped back")
    func checkpointTimeNeverGoesBack() async throws {
        let fixture = try await AuditFixture.make(batchSize: 7)
        try await fixture.appendReads(0..<3)
        let first = try #require(try await fixture.integrate(untilSize: 3))
        // As if it had been signed before the clock went back an hour.
        try await fixture.superuser.execute("UPDATE audit.checkpoints SET signed_at = signed_at + interval '1 hour'")
        let ahead = try #require(first.checkpoint.time).addingTimeInterval(3600)
        try await fixture.appendReads(3..<5)
        let second = try #require(try await fixture.integrate(untilSize: 5))
        #expect(second.checkpoint.sequence == 2)
        try second.verify(logKey: fixture.signer.verifier)
        let time = try #require(second.checkpoint.time)
        #expect(time >= ahead.addingTimeInterval(-0.001), "a checkpoint went back in time: \(time) after \(ahead)")
        #expect(time < Date().addingTimeInterval(3601))
        await fixture.shutdown()
    }

    @Test("Appended events are integrated in a tree whose checkpoint and proofs verify")
    func appendIntegrateProve() async throws {
        let fixture = try await AuditFixture.make(batchSize: 7)
        try await fixture.appendReads(0..<23)
        let checkpoint = try #require(try await fixture.integrate(untilSize: 23))
        #expect(checkpoint.checkpoint.size == 23)
        #expect(checkpoint.checkpoint.sequence == 1)
        try checkpoint.verify(logKey: fixture.signer.verifier)
        #expect(try await fixture.sequencer.checkpoint() == nil)  // nothing new: no new checkpoint

        let store = fixture.store
        #expect(try await store.treeSize() == 23)
        #expect(try await store.rootHash(size: 23) == checkpoint.checkpoint.root)
        for index in [0, 5, 22] as [UInt64] {
            let proof = try await store.inclusionProof(leafIndex: index, treeSize: 23)
            let (leaf, record) = try #require(try await store.leaf(at: index))
            let recomputed = try #require(record).leafHash(payloadDigest: leaf.payloadDigest)
            #expect(recomputed == leaf.leafHash)
            #expect(IndependentRFC9162.verifyInclusion(
                index: Int(index), size: 23, leafHash: recomputed.bytes, proof: proof.hashes.map(\.bytes), root: checkpoint.checkpoint.root.bytes))
        }
        try await fixture.appendReads(23..<40)
        let second = try #require(try await fixture.integrate(untilSize: 40))
        #expect(second.checkpoint.sequence == 2)
        let consistency = try await store.consistencyProof(from: 23, to: 40)
        #expect(IndependentRFC9162.verifyConsistency(
            from: 23, to: 40, oldRoot: checkpoint.checkpoint.root.bytes, newRoot: second.checkpoint.root.bytes,
            proof: consistency.hashes.map(\.bytes)))
        await fixture.shutdown()
    }

    @Test("Concurrent writers while the sequencer integrates: every event once, in a tree that verifies")
    func concurrentWriters() async throws {
        let fixture = try await AuditFixture.make(batchSize: 13)
        // Push the cluster's transaction ids past a power of ten, where comparing them as text
        // instead of as xid8 would reorder them.
        let start = try await fixture.superuser.query("SELECT CAST(pg_current_xact_id() AS text)").singleValue(String.self)
        let target = Int(String(repeating: "9", count: start.count))! + 1
        for _ in 0 ..< max(0, target - Int(start)! - 200) {
            _ = try await fixture.superuser.query("SELECT pg_current_xact_id()")
        }
        let writers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask { try await fixture.appendReads(writer * 100 ..< writer * 100 + 100) }
                }
                try await group.waitForAll()
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while try await fixture.sequencer.integrate().treeSize < 400 {
            #expect(ContinuousClock.now < deadline)
            try await Task.sleep(for: .milliseconds(2))
        }
        try await writers.value
        _ = try await fixture.sequencer.checkpoint()
        let duplicates = try await fixture.superuser.query(
            "SELECT count(*) - count(DISTINCT event_id) FROM audit.leaves").singleValue(Int.self)
        #expect(duplicates == 0)
        let report = try await AuditVerifier(pool: fixture.auditor, logKey: fixture.signer.verifier).verify()
        #expect(report.findings == [])
        #expect(report.recordsChecked == 400)
        await fixture.shutdown()
    }
}
