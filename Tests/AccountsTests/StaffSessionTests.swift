import Accounts
import Audit
import Foundation
import PostgreSQL
import Testing

/// A bearer token resolves only to a live session on the very certificate it was opened with.
@Suite("Staff sessions bound to the workstation certificate", .serialized)
struct StaffSessionTests {
    static let sessionRequired = #"{"code":"session-required","status":401,"title":"A staff session is required.","type":"about:blank"}"#

    /// Signs a compliance officer of school 77-1234 in on ws/3.
    func officer(_ harness: StaffHarness) async throws -> String {
        try await harness.addAccount("officer.one", role: "compliance_officer", region: nil)
        return try #require(try await harness.login("officer.one").token)
    }

    @Test("the token works on its own certificate and is refused from another workstation of the same school")
    func replayFromAnotherWorkstation() async throws {
        let harness = try await StaffHarness.start()
        let token = try await officer(harness)
        let own = try await harness.curl("GET", "/v1/audit/checkpoint", token: token)
        let replayed = try await harness.curl("GET", "/v1/audit/checkpoint", certificate: "school-ws21", token: token)
        let failed = try await harness.auditEvents("auth.failed")
        await harness.stop()
        #expect(own.status == 404)  // allowed; no checkpoint is signed yet
        #expect(replayed.status == 401)
        #expect(replayed.body == Self.sessionRequired)
        #expect(failed.count == 1)
        #expect(failed.first?.payload.contains(#""reason": "certificate_mismatch""#) == true)
    }

    @Test("no token, a malformed token or an unknown token is the same 401", arguments: [nil, "short", String(repeating: "A", count: 43)])
    func noSession(token: String?) async throws {
        let harness = try await StaffHarness.start()
        let answer = try await harness.curl("GET", "/v1/audit/entries", token: token)
        await harness.stop()
        #expect(answer.status == 401)
        #expect(answer.body == Self.sessionRequired)
    }

    @Test("an expired session is refused and marked ended")
    func expired() async throws {
        let harness = try await StaffHarness.start()
        let token = try await officer(harness)
        try await harness.database.withPool { pool in
            try await pool.execute(
                "UPDATE accounts.sessions SET created_at = now() - interval '9 hours', expires_at = now() - interval '1 hour'")
        }
        let answer = try await harness.curl("GET", "/v1/audit/checkpoint", token: token)
        let reason = try await harness.database.withPool { pool in
            try await pool.query("SELECT end_reason FROM accounts.sessions").singleValue(String?.self)
        }
        await harness.stop()
        #expect(answer.status == 401)
        #expect(answer.body == Self.sessionRequired)
        #expect(reason == "expired")
    }

    @Test("a session idle longer than its idle timeout is refused")
    func idle() async throws {
        let harness = try await StaffHarness.start(limits: SessionLimits(idleTimeout: .seconds(1)))
        let token = try await officer(harness)
        try await Task.sleep(for: .milliseconds(1500))
        let answer = try await harness.curl("GET", "/v1/audit/checkpoint", token: token)
        let reason = try await harness.database.withPool { pool in
            try await pool.query("SELECT end_reason FROM accounts.sessions").singleValue(String?.self)
        }
        await harness.stop()
        #expect(answer.status == 401)
        #expect(reason == "idle-timeout")
    }

    @Test("logout ends the session: 204, then the token is refused")
    func logout() async throws {
        let harness = try await StaffHarness.start()
        let token = try await officer(harness)
        let out = try await harness.curl("DELETE", "/v1/sessions/current", token: token)
        let after = try await harness.curl("GET", "/v1/audit/checkpoint", token: token)
        let again = try await harness.curl("DELETE", "/v1/sessions/current", token: token)
        let ended = try await harness.auditEvents("session.ended")
        await harness.stop()
        #expect(out.status == 204)
        #expect(after.status == 401)
        #expect(after.body == Self.sessionRequired)
        #expect(again.status == 401)
        #expect(ended.count == 1)
        #expect(ended.first?.payload.contains(#""reason": "logout""#) == true)
    }

    @Test("revoking the certificate ends its sessions (certificate-revoked, audited); the token is then refused")
    func revocationEndsSessions() async throws {
        let harness = try await StaffHarness.start()
        let token = try await officer(harness)
        try await harness.addAccount("other.officer", role: "compliance_officer", region: nil)
        let other = try #require(try await harness.login("other.officer", certificate: "school-ws22").token)
        let observer = SessionRevocationObserver(sessions: harness.sessions, logger: .init(label: "test"))
        await observer.certificatesRevoked([try harness.revocationKey("school")])
        let revoked = try await harness.curl("GET", "/v1/audit/checkpoint", token: token)
        let untouched = try await harness.curl("GET", "/v1/audit/checkpoint", certificate: "school-ws22", token: other)
        let reasons = try await harness.database.withPool { pool in
            try await pool.query("SELECT coalesce(end_reason, 'live') FROM accounts.sessions ORDER BY created_at").map {
                try $0.decode(String.self, at: 0)
            }
        }
        let ended = try await harness.auditEvents("session.ended")
        await harness.stop()
        #expect(revoked.status == 401)
        #expect(revoked.body == Self.sessionRequired)
        #expect(untouched.status == 404)
        #expect(reasons == ["certificate-revoked", "live"])
        #expect(ended.count == 1)
        #expect(ended.first?.actor == SessionRevocationObserver.actor)
        #expect(ended.first?.payload.contains("serial:\(try harness.serial("school"))") == true)
    }

    @Test("a bearer token on a connection without a client certificate is refused without a lookup or an audit record")
    func anonymousBearerWritesNothing() async throws {
        let harness = try await StaffHarness.start()
        let token = try await officer(harness)
        let before = try await harness.auditEvents("auth.failed").count
        let answer = try await harness.curl("GET", "/v1/audit/checkpoint", certificate: nil, token: token)
        let after = try await harness.auditEvents("auth.failed").count
        await harness.stop()
        #expect(answer.status == 401)
        #expect(answer.body == Self.sessionRequired)
        #expect(after == before, "an anonymous client must not be able to make the audit log grow")
    }

    @Test("disabling an account ends its sessions")
    func disablingEndsSessions() async throws {
        let harness = try await StaffHarness.start()
        let token = try await officer(harness)
        try await harness.store.disable(login: "officer.one", actor: "test:harness")
        let answer = try await harness.curl("GET", "/v1/audit/checkpoint", token: token)
        let reasons = try await harness.database.withPool { pool in
            try await pool.query("SELECT coalesce(end_reason, 'live') FROM accounts.sessions").map { try $0.decode(String.self, at: 0) }
        }
        let ended = try await harness.auditEvents("session.ended")
        await harness.stop()
        #expect(answer.status == 401)
        // The session itself is ended (not only refused because the account is disabled), and audited.
        #expect(reasons == ["account-disabled"])
        #expect(ended.count == 1)
        #expect(ended.first?.payload.contains(#""reason": "account-disabled""#) == true)
    }
}
