import Audit
import Testing

/// Looking a checkpoint up by a sequence number the log cannot hold answers "none", never a trap
/// (the number comes from outside: `GET /v1/audit/proofs/inclusion?checkpoint=`).
@Suite struct CheckpointLookupTests {
    @Test("a sequence number beyond Int64 names no checkpoint")
    func outOfRangeSequence() async throws {
        let fixture = try await AuditFixture.make()
        let beyond = try await fixture.store.checkpoint(sequence: UInt64(Int64.max) + 1)
        let largest = try await fixture.store.checkpoint(sequence: UInt64.max)
        let inRange = try await fixture.store.checkpoint(sequence: 1)
        await fixture.shutdown()
        #expect(beyond == nil)
        #expect(largest == nil)
        #expect(inRange == nil)  // none signed yet
    }
}
