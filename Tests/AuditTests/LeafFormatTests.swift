import Audit
import Testing

/// The leaf input format documented in audit/README.md, built here byte by byte from the text.
@Suite("Leaf format")
struct LeafFormatTests {
    static func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func text(_ value: String?) -> [UInt8] {
        guard let value else { return [0] }
        return [1] + be(UInt32(value.utf8.count)) + Array(value.utf8)
    }

    @Test("The leaf input is the documented byte string and its hash is SHA-256(0x00 || input)")
    func documentedFormat() {
        let record = AuditRecord(
            id: 42, recordedAtMicroseconds: 1_764_399_121_123_456, kind: "pii.read", catalogueVersion: 1,
            actor: "bilet://school/77-1234/ws/3", subject: "sub_aaaaaaaaaaaa00000001", decision: "permit", purpose: nil,
            payload: #"{"fields_returned": []}"#)
        let digest = IndependentRFC9162.sha256(Array(#"{"fields_returned": []}"#.utf8))
        #expect(record.payloadDigest.bytes == digest)
        var expected = Array("bilet-audit-leaf/1".utf8) + [0]
        expected += Self.be(UInt64(42)) + Self.be(Int64(1_764_399_121_123_456)) + Self.be(UInt32(1))
        expected += Self.text("pii.read") + Self.text("bilet://school/77-1234/ws/3") + Self.text("sub_aaaaaaaaaaaa00000001")
        expected += Self.text("permit") + Self.text(nil) + digest
        #expect(record.leafInput(payloadDigest: record.payloadDigest) == expected)
        #expect(record.leafHash(payloadDigest: record.payloadDigest).bytes == IndependentRFC9162.leaf(expected))
        #expect(record.leafFormat == 1)
    }

    @Test("Leaf format 2 commits to the writer after the purpose, under its own domain; format 1 records keep their bytes")
    func formatTwo() {
        let payload = #"{"fields_returned": []}"#
        func record(writtenBy: String?) -> AuditRecord {
            AuditRecord(
                id: 42, recordedAtMicroseconds: 1_764_399_121_123_456, kind: "pii.read", catalogueVersion: 3,
                actor: "bilet://school/77-1234/ws/3", subject: "sub_aaaaaaaaaaaa00000001", decision: "permit", purpose: "enrolment",
                payload: payload, writtenBy: writtenBy)
        }
        let digest = IndependentRFC9162.sha256(Array(payload.utf8))
        var body = Self.be(UInt64(42)) + Self.be(Int64(1_764_399_121_123_456)) + Self.be(UInt32(3))
        body += Self.text("pii.read") + Self.text("bilet://school/77-1234/ws/3") + Self.text("sub_aaaaaaaaaaaa00000001")
        body += Self.text("permit") + Self.text("enrolment")
        let v2 = Array("bilet-audit-leaf/2".utf8) + [0] + body + Self.text("bilet_vault") + digest
        let v1 = Array("bilet-audit-leaf/1".utf8) + [0] + body + digest
        let written = record(writtenBy: "bilet_vault")
        #expect(written.leafFormat == 2)
        #expect(written.leafInput(payloadDigest: written.payloadDigest) == v2)
        #expect(written.leafHash(payloadDigest: written.payloadDigest).bytes == IndependentRFC9162.leaf(v2))
        // No writer (or the database's "not recorded", the empty name): format 1, as before.
        for legacy in [record(writtenBy: nil), record(writtenBy: "")] {
            #expect(legacy.leafFormat == 1)
            #expect(legacy.leafInput(payloadDigest: legacy.payloadDigest) == v1)
        }
        #expect(AuditRecord.recordedAtMicroseconds(inLeafInput: v2) == 1_764_399_121_123_456)
        #expect(AuditRecord.recordedAtMicroseconds(inLeafInput: v1) == 1_764_399_121_123_456)
        // Another writer is another leaf.
        let other = record(writtenBy: "bilet_gateway")
        #expect(other.leafHash(payloadDigest: other.payloadDigest) != written.leafHash(payloadDigest: written.payloadDigest))
    }
}
