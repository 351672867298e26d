import Accounts
import Audit
import Foundation
import PostgreSQL
import Testing

/// Two factors over mTLS: `POST /v1/sessions` with a password on a connection with a workstation
/// certificate of the account's own organisation; refusals leak nothing and are audited.
@Suite("Staff login over mTLS", .serialized)
struct StaffLoginTests {
    static let refusal = #"{"code":"login-failed","status":401,"title":"The login was refused.","type":"about:blank"}"#

    @Test("the right password on a workstation of the account's organisation opens a session (201, audited)")
    func loginSucceeds() async throws {
        let harness = try await StaffHarness.start()
        let account = try await harness.addAccount("school.staff")
        let answer = try await harness.login("School.Staff")
        let succeeded = try await harness.auditEventsFromDatabase("auth.succeeded")
        let serial = try harness.serial("school")
        let stored = try await harness.database.withPool { pool in
            try await pool.query("SELECT token_hash, certificate_serial, principal, account_id FROM accounts.sessions")
        }
        await harness.stop()
        #expect(answer.status == 201)
        let token = try #require(answer.token)
        #expect(SessionToken(token) != nil)
        #expect(answer.body.contains(#""expiresAt":""#))
        #expect(stored.count == 1)
        #expect(try stored[0].decode([UInt8].self, at: 0) == (try SessionToken(token)!.digest()))
        #expect(try stored[0].decode(String.self, at: 1) == serial)
        #expect(try stored[0].decode(String.self, at: 2) == "bilet://school/77-1234/ws/3")
        #expect(try stored[0].decode(String.self, at: 3) == account.id)
        #expect(succeeded.count == 1)
        #expect(succeeded.first?.actor == account.actor)
        #expect(succeeded.first?.payload.contains(#""method": "password_and_certificate""#) == true)
    }

    @Test("a wrong password and an unknown login get the identical 401 body; the audit log names the cause, never the login")
    func refusalsLeakNothing() async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("known.staff")
        let wrong = try await harness.login("known.staff", password: "not the right password")
        let unknown = try await harness.login("nobody.here")
        let failed = try await harness.auditEventsFromDatabase("auth.failed")
        let everything = try await harness.database.withPool { pool in
            try await pool.query("SELECT string_agg(CAST(payload AS text) || coalesce(actor, ''), ' ') FROM audit.events").singleValue(String.self)
        }
        await harness.stop()
        #expect(wrong.status == 401)
        #expect(unknown.status == 401)
        #expect(wrong.body == Self.refusal)
        #expect(unknown.body == wrong.body)
        #expect(failed.count == 2)
        #expect(failed[0].payload.contains(#""reason": "wrong_password""#))
        #expect(failed[1].payload.contains(#""reason": "unknown_account""#))
        for event in failed { #expect(event.payload.contains(#""attempted_account": "k1:"#)) }
        #expect(!everything.contains("known.staff"))
        #expect(!everything.contains("nobody.here"))
        #expect(!everything.contains("not the right password"))
    }

    @Test("five consecutive failures lock the account: then even the right password is refused")
    func lockout() async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("locked.staff")
        for _ in 1...5 {
            #expect(try await harness.login("locked.staff", password: "wrong password again").status == 401)
        }
        let locked = try await harness.login("locked.staff")
        let lockedUntil = try await harness.database.withPool { pool in
            try await pool.query("SELECT locked_until > now() + interval '14 minutes' FROM accounts.accounts").singleValue(Bool.self)
        }
        let failed = try await harness.auditEventsFromDatabase("auth.failed")
        await harness.stop()
        #expect(locked.status == 401)
        #expect(locked.body == Self.refusal)
        #expect(lockedUntil)
        #expect(failed.count == 6)
        #expect(failed.last?.payload.contains(#""reason": "locked""#) == true)
    }

    @Test("a certificate of another organisation is refused with the same 401", arguments: ["venue", "other-school"])
    func otherOrganisation(certificate: String) async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("school.only")
        let answer = try await harness.login("school.only", certificate: certificate)
        let failed = try await harness.auditEventsFromDatabase("auth.failed")
        let sessions = try await harness.database.withPool { pool in
            try await pool.query("SELECT count(*) FROM accounts.sessions").singleValue(Int.self)
        }
        await harness.stop()
        #expect(answer.status == 401)
        #expect(answer.body == Self.refusal)
        #expect(failed.count == 1)
        #expect(failed.first?.payload.contains(#""reason": "organisation_mismatch""#) == true)
        #expect(sessions == 0)
    }

    @Test("a disabled account is refused with the same 401")
    func disabled() async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("gone.staff")
        try await harness.store.disable(login: "gone.staff", actor: "test:harness")
        let answer = try await harness.login("gone.staff")
        await harness.stop()
        #expect(answer.status == 401)
        #expect(answer.body == Self.refusal)
    }

    /// Finding M-1: the gateway's `bilet_accounts` signs staff in but can neither create an account
    /// (a compliance officer of its own) nor disable one; the administrator's `bilet_account_admin`
    /// does both, and the records name it as their writer.
    @Test("the gateway's accounts role cannot create or disable an account; the administrator's role can, and is the writer")
    func onlyTheAdministratorRoleChangesAccounts() async throws {
        let harness = try await StaffHarness.start()
        let gatewayStore = AccountStore(pool: harness.accountsPool, hasher: try PasswordHasher(parameters: StaffHarness.fastArgon2))
        let forged = await #expect(throws: AccountsError.self) {
            try await gatewayStore.add(
                login: "officer.forged", role: "compliance_officer", organisation: "bilet://school/77-1234", region: nil,
                password: StaffHarness.password, actor: "test:gateway")
        }
        try await harness.addAccount("school.staff")
        let takenOver = await #expect(throws: AccountsError.self) {
            try await gatewayStore.disable(login: "school.staff", actor: "test:gateway")
        }
        let answer = try await harness.login("school.staff")
        try await harness.store.disable(login: "school.staff", actor: "test:harness")
        let records = try await harness.owner.query(
            "SELECT kind, CAST(written_by AS text) FROM audit.events WHERE kind IN ('account.changed', 'session.ended') ORDER BY id"
        ).map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1))" }
        let logins = try await harness.owner.query("SELECT login FROM accounts.accounts").map { try $0.decode(String.self, at: 0) }
        await harness.stop()
        #expect(forged?.code == .storage)
        #expect(takenOver?.code == .storage)
        #expect(answer.status == 201, "the account stayed enabled")
        #expect(logins == ["school.staff"])
        #expect(records == [
            "account.changed bilet_account_admin", "account.changed bilet_account_admin", "session.ended bilet_account_admin",
        ])
    }

    /// Review L4: a page on another site can make a workstation's browser post a form or text body
    /// with the workstation's certificate, never JSON without a CORS preflight; such bodies are refused
    /// before any password check or audit write.
    @Test(
        "a login posted as a form or as text is refused 415 before any check",
        arguments: ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"])
    func crossSiteBodyTypesAreRefused(contentType: String) async throws {
        let harness = try await StaffHarness.start()
        let answer = try await harness.curl(
            "POST", "/v1/sessions", json: #"{"login":"officer.one","password":"wrong"}"#, contentType: contentType)
        let failures = try await harness.auditEventsFromDatabase("auth.failed")
        await harness.stop()
        #expect(answer.status == 415)
        #expect(answer.body.contains(#""code":"unsupported-media-type""#))
        #expect(failures.isEmpty, "nothing was checked or audited")
    }

    @Test("a body that is not the login JSON is 400 malformed-request")
    func malformedBody() async throws {
        let harness = try await StaffHarness.start()
        let answer = try await harness.curl("POST", "/v1/sessions", json: "login=x")
        await harness.stop()
        #expect(answer.status == 400)
        #expect(answer.body.contains(#""code":"malformed-request""#))
    }
}

extension StaffHarness {
    /// Audit events of `type` as the database owner sees them.
    func auditEventsFromDatabase(_ type: String) async throws -> [(actor: String?, payload: String)] {
        try await auditEvents(type)
    }
}
