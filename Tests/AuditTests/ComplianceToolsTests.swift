import Audit
import DatabaseTestSupport
import Foundation
import PostgreSQL
import Testing

@Suite("Compliance tools: query, report, export, proofs, gaps, retention")
struct ComplianceToolsTests {
    static let officer = "user:usr_compliance_officer_1"

    static func service(_ fixture: AuditFixture) -> AuditQueryService {
        AuditQueryService(reader: fixture.auditor, recorder: fixture.recorder, officer: officer, purpose: "compliance_review")
    }

    /// 12 reads: subjects 0…3 in turn, actors ws/1 and ws/2, every fourth one denied.
    static func populated() async throws -> AuditFixture {
        let fixture = try await AuditFixture.make()
        for n in 0..<12 {
            try await fixture.log.append(
                AuditFixture.read(n % 4, actor: "bilet://school/77-1234/ws/\(n % 2 + 1)", decision: n % 4 == 3 ? "deny" : "permit"),
                using: fixture.appender)
        }
        try await fixture.integrate(untilSize: 12)
        return fixture
    }

    func auditReads(_ fixture: AuditFixture) async throws -> Int {
        try await fixture.superuser.query("SELECT count(*) FROM audit.events WHERE kind = 'audit.read'").singleValue(Int.self)
    }

    @Test("Query filters by subject, actor, type, decision and time, and every read is itself audited")
    func query() async throws {
        let fixture = try await Self.populated()
        let service = Self.service(fixture)
        #expect(try await service.query(AuditQuery(subject: AuditFixture.token(1))).count == 3)
        #expect(try await service.query(AuditQuery(actor: "bilet://school/77-1234/ws/2")).count == 6)
        #expect(try await service.query(AuditQuery(decision: "deny")).map(\.subject) == Array(repeating: AuditFixture.token(3), count: 3))
        #expect(try await service.query(AuditQuery(type: "pii.read", from: Date().addingTimeInterval(3600))).isEmpty)
        let all = try await service.query(AuditQuery(type: "pii.read"))
        #expect(all.map(\.leafIndex) == (0..<12).map { UInt64($0) })
        #expect(try await auditReads(fixture) == 5)
        let reads = try await service.query(AuditQuery(type: "audit.read"))
        #expect(reads.first?.actor == Self.officer)
        #expect(reads.first?.fields?["filters"] == .list(["subject"]))
        #expect(reads.first?.fields?["result_count"] == .integer(3))
        await #expect(throws: AuditError.self) { try await service.query(AuditQuery(subject: "Ivanov Ivan")) }
        await fixture.shutdown()
    }

    @Test("Nothing is returned when the read cannot be recorded")
    func unrecordedReadReturnsNothing() async throws {
        let fixture = try await Self.populated()
        // A recorder whose role may not append (a module role) cannot record the read.
        let modulePool = fixture.database.components().makePool(for: .assessment)
        let service = AuditQueryService(reader: fixture.auditor, recorder: modulePool, officer: Self.officer, purpose: "compliance_review")
        let error = await #expect(throws: AuditError.self) { try await service.query(AuditQuery()) }
        #expect(error?.code == .refused)
        await modulePool.shutdown()
        await fixture.shutdown()
    }

    @Test("Subject report names who read the pupil's data, when, why and under which consent")
    func report() async throws {
        let fixture = try await Self.populated()
        let report = try await Self.service(fixture).report(subject: AuditFixture.token(2))
        #expect(report.entries.count == 3)
        #expect(report.readers == ["bilet://school/77-1234/ws/1"])
        #expect(report.entries.allSatisfy { $0.purpose == "career_guidance" })
        #expect(report.entries.first?.fields?["consent"] == .string("con_cccccccccccc00000002"))
        await fixture.shutdown()
    }

    @Test("Export as JSON Lines and RFC 5424 syslog")
    func export() async throws {
        let fixture = try await Self.populated()
        var lines: [String] = []
        try await Self.service(fixture).export(AuditQuery(decision: "deny", limit: 1), format: .syslog, hostname: "audit-host") { lines.append($0) }
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.hasPrefix("<108>1 20"))
        #expect(line.contains(" audit-host bilet-audit - pii.read [bilet@32473 event=\""))
        #expect(line.contains("leaf=\"3\" actor=\"bilet://school/77-1234/ws/2\" subject=\"\(AuditFixture.token(3))\" decision=\"deny\" purpose=\"career_guidance\" written_by=\"bilet_vault\"]"))
        #expect(line.hasSuffix(#"] {"consent":"con_cccccccccccc00000003","fields_requested":["birth_date","full_name"],"fields_returned":[]}"#))

        var json: [String] = []
        try await Self.service(fixture).export(AuditQuery(limit: 2), format: .jsonLines, hostname: "h") { json.append($0) }
        #expect(json.count == 2)
        let object = try JSONSerialization.jsonObject(with: Data(json[0].utf8)) as? [String: Any]
        #expect(object?["leaf_index"] as? Int == 0)
        #expect(object?["type"] as? String == "pii.read")
        #expect((object?["recorded_at"] as? String)?.hasSuffix("Z") == true)
        await fixture.shutdown()
    }

    @Test("Inclusion and consistency bundles verify offline and fail for a wrong leaf or key")
    func proofs() async throws {
        let fixture = try await Self.populated()
        let service = Self.service(fixture)
        let bundle = try await service.prove(leafIndex: 5)
        let parsed = try ProofBundle(json: bundle.json)
        let key = try NoteVerifierKey(vkey: fixture.signer.verifier.vkey)
        #expect(try parsed.verify(logKey: key).description == "leaf 5 is included in the tree of size 12 signed by bilet.test/audit")

        // The independent RFC 9162 implementation agrees.
        let checkpoint = try SignedCheckpoint(parsing: parsed.checkpoint).checkpoint
        let leafHash = IndependentRFC9162.leaf(Array(Data(base64Encoded: parsed.leafInput!)!))
        #expect(IndependentRFC9162.verifyInclusion(
            index: 5, size: 12, leafHash: leafHash, proof: parsed.hashes.map { Array(Data(base64Encoded: $0)!) }, root: checkpoint.root.bytes))

        var json = try #require(try JSONSerialization.jsonObject(with: Data(bundle.json.utf8)) as? [String: Any])
        var input = Array(Data(base64Encoded: json["leaf_input"] as! String)!)
        input[input.count - 40] ^= 1
        json["leaf_input"] = Data(input).base64EncodedString()
        let forged = try ProofBundle(json: String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self))
        #expect { try forged.verify(logKey: key) } throws: { ($0 as? AuditError)?.code == .proofInvalid }
        let stranger = try NoteSigner(name: AuditFixture.origin, privateKey: try .generate(algorithm: .ed25519)).verifier
        #expect { try parsed.verify(logKey: stranger) } throws: { ($0 as? AuditError)?.code == .signatureInvalid }

        try await fixture.appendReads(100..<107)
        try await fixture.integrate(untilSize: 12 + 7 + 1)  // + the audit.read of prove
        let consistency = try ProofBundle(json: try await service.consistency(from: 12, to: nil).json)
        #expect(try consistency.verify(logKey: key).description.hasPrefix("the tree of size 20 extends the tree of size 12"))
        await #expect(throws: AuditError.self) { try await service.consistency(from: 11, to: nil) }
        await fixture.shutdown()
    }

    @Test("Gaps: a window whose end no checkpoint covers yet is pending, not complete (GapsTests has the rest)")
    func gapsUnsealed() async throws {
        let fixture = try await Self.populated()
        let report = try await Self.service(fixture).gaps(from: Date().addingTimeInterval(-3600), to: Date().addingTimeInterval(3600))
        #expect(report.leafRange == 0...11)
        #expect(report.eventCount == 12)
        #expect(report.lowerBoundary == nil)
        #expect(report.upperBoundary == 12)
        #expect(report.problems == [.unsealed(leafIndex: 12, checkpointSize: 12)])
        #expect(report.verdict == "pending")
        #expect(report.proof == nil)
        await fixture.shutdown()
    }

    @Test("Retention prunes expired payloads, keeps proofs and verify valid, and registers the destruction")
    func retention() async throws {
        let fixture = try await Self.populated()
        let retention = AuditRetention(pool: fixture.auditor)
        #expect(try await retention.pruneExpired(reason: "retention term reached", requestedBy: "user:usr_dpo_1") == 0)
        try await fixture.superuser.execute("INSERT INTO audit.retention_terms VALUES ('pii.read', interval '1 microsecond')")
        let pruned = try await retention.pruneExpired(reason: "retention term reached", requestedBy: "user:usr_dpo_1")
        #expect(pruned == 12)
        let register = try await retention.register()
        #expect(register.count == 4)
        #expect(Set(register.compactMap(\.subject)) == Set((0..<4).map(AuditFixture.token)))
        #expect(register.allSatisfy { $0.categories == ["pii.read"] && $0.eventCount == 3 && $0.reason == "retention term reached" })
        #expect(register.allSatisfy { $0.keepUntil.timeIntervalSince($0.destroyedAt) > 3 * 365 * 86_400 - 1 })
        #expect(try await fixture.superuser.query("SELECT count(*) FROM audit.events WHERE payload IS NULL").singleValue(Int.self) == 12)

        let report = try await AuditVerifier(pool: fixture.auditor, logKey: fixture.signer.verifier).verify()
        #expect(report.findings == [])
        let service = Self.service(fixture)
        _ = try (try await service.prove(leafIndex: 2)).verify(logKey: fixture.signer.verifier)
        let entry = try #require(try await service.query(AuditQuery(subject: AuditFixture.token(2))).first)
        #expect(entry.pruned)
        #expect(entry.fields == nil)
        #expect(try await retention.purgeRegister() == 0)  // nothing is three years old
        await fixture.shutdown()
    }
}

@Suite("RFC 5424 lines for a SIEM")
struct SyslogLineTests {
    static func entry(actor: String, payload: String?, pruned: Bool = false) -> AuditEntry {
        AuditEntry(
            leafIndex: 7,
            record: AuditRecord(
                id: 42, recordedAtMicroseconds: 1_764_399_121_000_001, kind: "pii.read", catalogueVersion: 1, actor: actor,
                subject: "sub_syslogsyslog0001", decision: "permit", purpose: "career_guidance", payload: payload,
                prunedAtMicroseconds: pruned ? 1_764_399_122_000_000 : nil))
    }

    @Test("A pruned payload leaves MSG out instead of writing a placeholder")
    func prunedHasNoMessage() {
        let line = Self.entry(actor: "bilet://school/77-1234/ws/2", payload: nil, pruned: true).syslogLine(hostname: "h")
        #expect(line == #"<110>1 2025-11-29T06:52:01.000001Z h bilet-audit - pii.read [bilet@32473 event="42" leaf="7" actor="bilet://school/77-1234/ws/2" subject="sub_syslogsyslog0001" decision="permit" purpose="career_guidance" pruned="true"]"#)
    }

    /// Finding M5: a stored actor, subject or purpose with CR/LF (written by the superuser or an
    /// old record) must not forge lines in the SIEM feed.
    @Test("CR, LF and other control characters in actor, subject, purpose or payload leave exactly one line")
    func controlCharactersStayOnOneLine() {
        let forged = "bilet://school/77-1234/ws/2\r\n<110>1 2025-11-29T06:52:01Z h bilet-audit - pii.read [bilet@32473 actor=\"user:x\"]"
        let entry = AuditEntry(
            leafIndex: 7,
            record: AuditRecord(
                id: 42, recordedAtMicroseconds: 1_764_399_121_000_001, kind: "pii.read", catalogueVersion: 3, actor: forged,
                subject: "sub_a\nb\u{85}c", decision: "permit", purpose: "career\u{2028}guidance\u{7F}\u{0}",
                payload: #"{"n":"x\ny\u2028z\u0085"}"#, writtenBy: "bilet_vault"))
        let line = entry.syslogLine(hostname: "h")
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029 })
        #expect(line.split(whereSeparator: \.isNewline).count == 1)
        #expect(line.contains(#" actor="bilet://school/77-1234/ws/2\u000D\u000A<110>1 2025-11-29T06:52:01Z h bilet-audit - pii.read [bilet@32473 actor=\"user:x\"\]" "#))
        #expect(line.contains(#" subject="sub_a\u000Ab\u0085c" "#))
        #expect(line.contains(#" purpose="career\u2028guidance\u007F\u0000" "#))
        #expect(line.contains(#" written_by="bilet_vault"]"#))
        #expect(line.hasSuffix(#"{"n":"x\ny\u2028z\u0085"}"#))
    }

    @Test("Quote, backslash and closing bracket in a parameter value are escaped (§6.3.3)")
    func parameterEscaping() {
        let line = Self.entry(actor: #"svc"a\b]c"#, payload: #"{"n":1}"#).syslogLine(hostname: "h")
        #expect(line.contains(#" actor="svc\"a\\b\]c" "#))
        #expect(line.hasSuffix(#"purpose="career_guidance"] {"n":1}"#))
    }
}
