import Accounts
import Audit
import Foundation
import PostgreSQL
import Testing

/// The audit tools over HTTP under policy: compliance officers read, others are refused.
@Suite("Audit HTTP API under policy", .serialized)
struct AuditAPITests {
    @Test("a compliance officer reads entries and an inclusion proof that verifies offline; each read is audited with the policy version")
    func officerReads() async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("officer.two", role: "compliance_officer", region: nil)
        let token = try #require(try await harness.login("officer.two").token)
        let sequencer = AuditSequencer(pool: harness.auditPool, signer: harness.signer)
        // Other databases of the shared cluster may hold the snapshot's xmin back for a moment.
        let deadline = ContinuousClock.now + .seconds(30)
        while try await sequencer.integrate().treeSize < 2 {
            guard ContinuousClock.now < deadline else { throw AuditError(.unavailable, "integration did not reach 2") }
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = try await sequencer.checkpoint()
        let entries = try await harness.curl("GET", "/v1/audit/entries?type=auth.succeeded&limit=10", token: token)
        let proof = try await harness.curl("GET", "/v1/audit/proofs/inclusion?entry=0", token: token)
        let checkpoint = try await harness.curl("GET", "/v1/audit/checkpoint", token: token)
        let badLimit = try await harness.curl("GET", "/v1/audit/entries?limit=0", token: token)
        let reads = try await harness.auditEvents("audit.read")
        await harness.stop()

        #expect(entries.status == 200)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(entries.body.utf8)) as? [String: Any])
        let list = try #require(object["entries"] as? [[String: Any]])
        #expect(list.count == 1)
        #expect(list.first?["type"] as? String == "auth.succeeded")

        #expect(proof.status == 200)
        let outcome = try ProofBundle(json: proof.body).verify(logKey: harness.signer.verifier)
        #expect(outcome.description.hasPrefix("leaf 0 is included"))
        #expect(checkpoint.status == 200)
        #expect(badLimit.status == 400)
        #expect(badLimit.body.contains(#""code":"invalid-query""#))

        #expect(reads.count == 3)
        for read in reads {
            #expect(read.actor?.hasPrefix("user:usr_") == true)
            #expect(read.payload.contains(#""policy_version": ""#))
        }
    }

    @Test("a school account gets 403 on the audit API, and the denial is audited", arguments: ["entries", "checkpoint", "proofs/inclusion?entry=0"])
    func schoolIsRefused(path: String) async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("school.reader")
        let token = try #require(try await harness.login("school.reader").token)
        let answer = try await harness.curl("GET", "/v1/audit/\(path)", token: token)
        let denied = try await harness.auditEvents("policy.decided")
        let reads = try await harness.auditEvents("audit.read")
        await harness.stop()
        #expect(answer.status == 403)
        #expect(answer.body == #"{"code":"forbidden","status":403,"title":"The policy does not permit this request.","type":"about:blank"}"#)
        #expect(denied.count == 1)
        #expect(reads.isEmpty)
    }

    @Test("numbers beyond what the log can hold, unknown decisions and malformed types are 400 invalid-query, not a crash")
    func outOfRangeQueriesAreRefused() async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("officer.three", role: "compliance_officer", region: nil)
        let token = try #require(try await harness.login("officer.three").token)
        let paths = [
            "/v1/audit/proofs/inclusion?entry=0&checkpoint=9223372036854775808",
            "/v1/audit/proofs/inclusion?entry=18446744073709551615",
            "/v1/audit/proofs/consistency?from=0&to=9223372036854775808",
            "/v1/audit/entries?decision=maybe",
            "/v1/audit/entries?type=" + String(repeating: "a", count: 129),
            "/v1/audit/entries?type=Auth.Failed",
        ]
        var answers: [(status: Int, body: String)] = []
        for path in paths { answers.append(try await harness.curl("GET", path, token: token)) }
        let alive = try await harness.curl("GET", "/v1/audit/entries?decision=deny&type=auth.failed", token: token)
        await harness.stop()
        for (path, answer) in zip(paths, answers) {
            #expect(answer.status == 400, "\(path): \(answer.body)")
            #expect(answer.body.contains(#""code":"invalid-query""#), "\(path)")
        }
        #expect(alive.status == 200)
    }
}
