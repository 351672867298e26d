import Audit
import DatabaseTestSupport
import Foundation
import GnuTLS
import PostgreSQL
import Testing

/// `gaps --from T1 --to T2`: a window is complete only when every leaf of it and its two boundary
/// leaves are present with matching records under the newest checkpoint and nothing is pending;
/// tampering as the PostgreSQL superuser makes it incomplete and is named.
@Suite("Gaps over a time window")
struct GapsTests {
    /// 3 events before the window, 5 inside (leaves 3…7), 3 after; one checkpoint of size 11.
    struct Window {
        let fixture: AuditFixture
        let from: Date
        let to: Date
        let eventIDs: [Int64]

        static func make() async throws -> Window {
            let fixture = try await AuditFixture.make()
            try await fixture.appendReads(0..<3)
            try await Task.sleep(for: .milliseconds(20))
            let from = Date()
            try await Task.sleep(for: .milliseconds(20))
            try await fixture.appendReads(3..<8)
            try await Task.sleep(for: .milliseconds(20))
            let to = Date()
            try await Task.sleep(for: .milliseconds(20))
            try await fixture.appendReads(8..<11)
            try await fixture.integrate(untilSize: 11)
            var ids: [Int64] = []
            for index in 0..<11 as Range<UInt64> {
                ids.append(try #require(try await fixture.store.leaf(at: index)).0.eventID)
            }
            return Window(fixture: fixture, from: from, to: to, eventIDs: ids)
        }

        var service: AuditQueryService { ComplianceToolsTests.service(fixture) }

        func gaps() async throws -> GapReport { try await service.gaps(from: from, to: to) }

        func sql(_ statement: SQLStatement) async throws { try await fixture.superuser.execute(statement) }
    }

    @Test("A complete window: exact range, counts and boundaries, and a proof that verifies offline")
    func complete() async throws {
        let window = try await Window.make()
        let report = try await window.gaps()
        #expect(report.problems == [])
        #expect(report.isComplete)
        #expect(report.verdict == "complete")
        #expect(report.leafRange == 3...7)
        #expect(report.eventCount == 5)
        #expect(report.pendingCount == 0)
        #expect(report.lowerBoundary == 2)
        #expect(report.upperBoundary == 8)
        #expect(report.checkpoint?.checkpoint.size == 11)
        let proof = try GapProof(json: try #require(report.proof).json)
        #expect(proof.leaves.map(\.leafIndex) == [2, 3, 7, 8])
        let key = try NoteVerifierKey(vkey: window.fixture.signer.verifier.vkey)
        #expect(try proof.verify(logKey: key).description.hasSuffix(
            "spans leaves 3...7, between leaves recorded outside it, in the tree of size 11 signed by bilet.test/audit"))

        // A stranger's key, a wider claimed window (leaf 2 would then be inside), a dropped boundary.
        let stranger = try NoteSigner(name: AuditFixture.origin, privateKey: try .generate(algorithm: .ed25519)).verifier
        #expect { try proof.verify(logKey: stranger) } throws: { ($0 as? AuditError)?.code == .signatureInvalid }
        let wider = GapProof(from: window.from.addingTimeInterval(-3600), to: window.to, firstLeaf: 3, leafCount: 5, leaves: proof.leaves)
        #expect { try wider.verify(logKey: key) } throws: { ($0 as? AuditError)?.code == .proofInvalid }
        let shifted = GapProof(from: window.from, to: window.to, firstLeaf: 3, leafCount: 4, leaves: Array(proof.leaves.prefix(3)))
        #expect { try shifted.verify(logKey: key) } throws: { ($0 as? AuditError)?.code == .proofInvalid }
        await window.fixture.shutdown()
    }

    enum Tamper: String, CaseIterable, Sendable {
        case deleteMiddleLeaf, deleteMiddleRecord, deleteMiddleEventKeepLeaf, editMiddleRecord
        case deleteFirstRecord, deleteLastRecord, deleteFirstEventKeepLeaf, deleteLastEventKeepLeaf, deleteWholeWindow
    }

    @Test("Tampering with the window as the superuser makes it incomplete and names the leaf", arguments: Tamper.allCases)
    func tamper(_ tamper: Tamper) async throws {
        let window = try await Window.make()
        let ids = window.eventIDs
        let expected: [GapProblem]
        switch tamper {
        case .deleteMiddleLeaf:
            try await window.sql("DELETE FROM audit.leaves WHERE leaf_index = 5")
            // The event is still there without its leaf, so it also counts as not integrated.
            expected = [.record(.leafMissing(leafIndex: 5)), .pending(count: 1)]
        case .deleteMiddleRecord:
            try await window.sql("DELETE FROM audit.leaves WHERE leaf_index = 5")
            try await window.sql("DELETE FROM audit.events WHERE id = \(ids[5])")
            expected = [.record(.leafMissing(leafIndex: 5))]
        case .deleteMiddleEventKeepLeaf:
            try await window.sql("DELETE FROM audit.events WHERE id = \(ids[5])")
            expected = [.record(.recordDeleted(leafIndex: 5, eventID: ids[5]))]
        case .editMiddleRecord:
            try await window.sql("UPDATE audit.events SET actor = 'bilet://school/00-0000/ws/9' WHERE id = \(ids[5])")
            expected = [.record(.recordAltered(leafIndex: 5, eventID: ids[5]))]
        case .deleteFirstRecord:
            try await window.sql("DELETE FROM audit.leaves WHERE leaf_index = 3")
            try await window.sql("DELETE FROM audit.events WHERE id = \(ids[3])")
            expected = [.record(.leafMissing(leafIndex: 3))]
        case .deleteLastRecord:
            try await window.sql("DELETE FROM audit.leaves WHERE leaf_index = 7")
            try await window.sql("DELETE FROM audit.events WHERE id = \(ids[7])")
            expected = [.record(.leafMissing(leafIndex: 7))]
        case .deleteFirstEventKeepLeaf:
            try await window.sql("DELETE FROM audit.events WHERE id = \(ids[3])")
            expected = [.record(.recordDeleted(leafIndex: 3, eventID: ids[3]))]
        case .deleteLastEventKeepLeaf:
            try await window.sql("DELETE FROM audit.events WHERE id = \(ids[7])")
            expected = [.record(.recordDeleted(leafIndex: 7, eventID: ids[7]))]
        case .deleteWholeWindow:
            try await window.sql("DELETE FROM audit.leaves WHERE leaf_index BETWEEN 3 AND 7")
            try await window.sql("DELETE FROM audit.events WHERE id = ANY(CAST(\("{" + ids[3...7].map(String.init).joined(separator: ",") + "}") AS bigint[]))")
            expected = [.record(.leafMissing(leafIndex: 3))]
        }
        let report = try await window.gaps()
        #expect(report.problems == expected)
        #expect(!report.isComplete)
        #expect(report.verdict == "gaps")
        #expect(report.proof == nil)
        await window.fixture.shutdown()
    }

    @Test("An event recorded in the window but not integrated yet keeps the window pending until it is")
    func pending() async throws {
        let window = try await Window.make()
        // Committed late with a time inside the window (as a long transaction's event would be).
        let inside = window.from.addingTimeInterval(window.to.timeIntervalSince(window.from) / 2)
        try await window.sql(
            """
            INSERT INTO audit.events (recorded_at, kind, catalogue_version, actor, subject, decision, purpose, payload)
            SELECT \(inside), kind, catalogue_version, actor, subject, decision, purpose, payload
            FROM audit.events WHERE id = \(window.eventIDs[5])
            """)
        let report = try await window.gaps()
        #expect(report.problems == [.pending(count: 1)])
        #expect(report.pendingCount == 1)
        #expect(report.verdict == "pending")
        #expect(report.proof == nil)

        // Integrated (leaf 11, then the first check's audit.read at 12) and signed: complete again.
        try await window.fixture.integrate(untilSize: 13)
        let later = try await window.gaps()
        #expect(later.problems == [])
        #expect(later.leafRange == 3...11)
        #expect(later.eventCount == 6)
        #expect(later.upperBoundary == 12)
        _ = try #require(later.proof).verify(logKey: window.fixture.signer.verifier)
        await window.fixture.shutdown()
    }

    @Test("An empty window is complete between two signed leaves recorded outside it")
    func emptyWindow() async throws {
        let window = try await Window.make()
        let report = try await window.service.gaps(from: window.to.addingTimeInterval(-0.005), to: window.to)
        #expect(report.problems == [])
        #expect(report.leafRange == nil)
        #expect(report.eventCount == 0)
        #expect(report.lowerBoundary == 7)
        #expect(report.upperBoundary == 8)
        let proof = try #require(report.proof)
        #expect(proof.leaves.map(\.leafIndex) == [7, 8])
        #expect(try proof.verify(logKey: window.fixture.signer.verifier).description.contains("spans no leaves"))
        await window.fixture.shutdown()
    }
}
