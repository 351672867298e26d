import Audit
import DatabaseTestSupport
import Foundation
import GnuTLS
import PostgreSQL
import Storage
import Testing

@Suite("Append path and sequencer")
struct AppendAndSequenceTests {
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
}
