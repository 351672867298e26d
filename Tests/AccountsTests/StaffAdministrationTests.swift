import Accounts
import Foundation
import GnuTLS
import PostgreSQL
import Testing

/// Staff accounts over real mTLS: activation codes, disabling and re-enabling, the consent gate,
/// and who may create which account where.
@Suite("Staff administration over HTTP", .serialized)
struct StaffAdministrationTests {
    static let forbidden = #"{"code":"forbidden","status":403,"title":"The policy does not permit this request.","type":"about:blank"}"#
    static let activationFailed = #"{"code":"activation-failed","status":401,"title":"The activation was refused.","type":"about:blank"}"#

    /// A school administrator's token (bootstrap account of school 77-1234, consent recorded).
    static func schoolAdmin(_ harness: AdministrationHarness) async throws -> String {
        try await harness.insertOrganisation(kind: "region", id: "77", region: "77")
        try await harness.insertOrganisation(kind: "school", id: "77-1234", region: "77")
        _ = try await harness.store.add(
            login: "school.admin", role: "school", organisation: "bilet://school/77-1234", region: "77",
            password: AdministrationHarness.password, actor: "test:harness")
        return try await harness.signIn("school.admin", certificate: "school")
    }

    @Test("an activation code works once, at a workstation of the account's organisation, and only its hash is stored")
    func activationCodeSingleUse() async throws {
        let harness = try await AdministrationHarness.start()
        do {
            let admin = try await Self.schoolAdmin(harness)
            let created = try await harness.curl("POST", "/v1/staff", token: admin, json: #"{"login":"nav.one","role":"navigator"}"#)
            #expect(created.status == 201, "\(created.body)")
            let object = AdministrationHarness.object(created.body)
            let code = try #require(object["activation_code"] as? String)
            let account = try #require(object["account"] as? String)
            #expect(object["activation_expires_at"] is String)
            let normalised = code.replacingOccurrences(of: "-", with: "")

            // Only the SHA-256 of the code is stored, nowhere the code itself.
            let digest = try Digest.hash(.sha256, of: Array(normalised.utf8))
            let stored = try await harness.owner.query("SELECT code_hash FROM accounts.activation_codes WHERE account_id = \(account)")
                .singleValue([UInt8].self)
            #expect(stored == digest)
            let dump = try await harness.owner.query(
                "SELECT count(*) FROM accounts.accounts a, accounts.activation_codes c WHERE row_to_json(a)::text LIKE \("%" + normalised + "%") OR row_to_json(c)::text LIKE \("%" + normalised + "%")"
            ).singleValue(Int.self)
            #expect(dump == 0)

            let body = #"{"login":"nav.one","activation_code":"\#(code)","password":"\#(AdministrationHarness.password)"}"#
            // A workstation of another organisation cannot use it.
            let elsewhere = try await harness.curl("POST", "/v1/staff/activate", certificate: "other-school", json: body)
            let first = try await harness.curl("POST", "/v1/staff/activate", json: body)
            let second = try await harness.curl("POST", "/v1/staff/activate", json: body)
            let wrong = try await harness.curl(
                "POST", "/v1/staff/activate",
                json: #"{"login":"nav.one","activation_code":"AAAA-AAAA-AAAA-AAAA-AAAA","password":"\#(AdministrationHarness.password)"}"#)
            #expect(elsewhere.status == 401)
            #expect(elsewhere.body == Self.activationFailed)
            #expect(first.status == 204, "\(first.body)")
            #expect(second.status == 401)
            #expect(second.body == Self.activationFailed)
            #expect(wrong.body == Self.activationFailed)
            _ = try await harness.signIn("nav.one", certificate: "school-ws21")
            // An active account gets no new code (no takeover through a re-issue).
            let reissue = try await harness.curl("POST", "/v1/staff/\(account)/activation-code", token: admin)
            #expect(reissue.status == 409)
            let changes = try await harness.auditEvents("account.changed")
            #expect(changes.map { $0.payload.contains(#""change": "activated""#) }.filter { $0 }.count == 1)
            #expect(try await harness.auditEvents("auth.failed").filter { $0.payload.contains(#""method": "activation""#) }.count == 3)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("an expired activation code is refused; a re-issued code replaces the old one")
    func activationCodeExpiry() async throws {
        // The codes live an hour; the first one is made to have expired an hour ago in the database
        // (where the expiry is checked) rather than by sleeping past a one-second lifetime, which a
        // loaded machine also slept past between re-issuing and using the fresh code.
        let harness = try await AdministrationHarness.start()
        do {
            let admin = try await Self.schoolAdmin(harness)
            let created = try await harness.curl("POST", "/v1/staff", token: admin, json: #"{"login":"nav.two","role":"navigator"}"#)
            let object = AdministrationHarness.object(created.body)
            let code = try #require(object["activation_code"] as? String)
            let account = try #require(object["account"] as? String)
            try await harness.owner.execute(
                """
                UPDATE accounts.activation_codes SET issued_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'
                WHERE account_id = \(account)
                """)
            let expired = try await harness.curl(
                "POST", "/v1/staff/activate", json: #"{"login":"nav.two","activation_code":"\#(code)","password":"\#(AdministrationHarness.password)"}"#)
            #expect(expired.status == 401)
            #expect(expired.body == Self.activationFailed)

            let reissued = try await harness.curl("POST", "/v1/staff/\(account)/activation-code", token: admin)
            #expect(reissued.status == 201)
            let fresh = try #require(AdministrationHarness.object(reissued.body)["activation_code"] as? String)
            #expect(fresh != code)
            let activated = try await harness.curl(
                "POST", "/v1/staff/activate", json: #"{"login":"nav.two","activation_code":"\#(fresh)","password":"\#(AdministrationHarness.password)"}"#)
            #expect(activated.status == 204)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("a disabled account's session ends and it cannot sign in; re-enabled, it can again; another school's admin gets 404")
    func disableAndEnable() async throws {
        let harness = try await AdministrationHarness.start()
        do {
            let admin = try await Self.schoolAdmin(harness)
            let navigator = try await harness.makeStaff(
                "nav.three", role: "navigator", organisation: nil, by: admin, adminCertificate: "school", certificate: "school-ws21")
            let list = try await harness.curl("GET", "/v1/staff", token: admin)
            let accounts = AdministrationHarness.object(list.body)["accounts"] as? [[String: Any]] ?? []
            let account = try #require(accounts.first { $0["login"] as? String == "nav.three" }?["account"] as? String)
            #expect(accounts.first { $0["login"] as? String == "nav.three" }?["status"] as? String == "active")

            try await harness.insertOrganisation(kind: "school", id: "77-9999", region: "77")
            _ = try await harness.store.add(
                login: "other.admin", role: "school", organisation: "bilet://school/77-9999", region: "77",
                password: AdministrationHarness.password, actor: "test:harness")
            let other = try await harness.signIn("other.admin", certificate: "other-school")
            let foreign = try await harness.curl("POST", "/v1/staff/\(account)/disable", certificate: "other-school", token: other)
            let unknown = try await harness.curl(
                "POST", "/v1/staff/usr_AAAAAAAAAAAAAAAAAAAAAA/disable", certificate: "other-school", token: other)
            #expect(foreign.status == 404)
            #expect(foreign.body == unknown.body)

            let disabled = try await harness.curl("POST", "/v1/staff/\(account)/disable", token: admin)
            let afterDisable = try await harness.curl("GET", "/v1/staff/me", certificate: "school-ws21", token: navigator)
            let login = try await harness.curl(
                "POST", "/v1/sessions", certificate: "school-ws21",
                json: #"{"login":"nav.three","password":"\#(AdministrationHarness.password)"}"#)
            #expect(disabled.status == 204)
            #expect(afterDisable.status == 401)
            #expect(login.status == 401)

            let enabled = try await harness.curl("POST", "/v1/staff/\(account)/enable", token: admin)
            #expect(enabled.status == 204)
            _ = try await harness.signIn("nav.three", certificate: "school-ws21", consent: false)
            let changes = try await harness.auditEvents("account.changed").map(\.payload)
            #expect(changes.contains { $0.contains(#""change": "disabled""#) })
            #expect(changes.contains { $0.contains(#""change": "enabled""#) })
            #expect(try await harness.auditEvents("session.ended").contains { $0.payload.contains("account-disabled") })
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("until the staff consent is recorded every other staff route answers 403 staff-consent-required")
    func consentGate() async throws {
        let harness = try await AdministrationHarness.start()
        do {
            let admin = try await Self.schoolAdmin(harness)
            let token = try await harness.makeStaff(
                "nav.four", role: "navigator", organisation: nil, by: admin, adminCertificate: "school", certificate: "school-ws21",
                consent: false)
            let gated = try await harness.curl("GET", "/v1/organisations", certificate: "school-ws21", token: token)
            let staffList = try await harness.curl("GET", "/v1/staff", certificate: "school-ws21", token: token)
            let me = try await harness.curl("GET", "/v1/staff/me", certificate: "school-ws21", token: token)
            let wrongVersion = try await harness.curl(
                "POST", "/v1/staff/me/consent", certificate: "school-ws21", token: token, json: #"{"version":"staff-pd-1999-1"}"#)
            let recorded = try await harness.curl(
                "POST", "/v1/staff/me/consent", certificate: "school-ws21", token: token,
                json: #"{"version":"\#(StaffConsent.currentVersion)"}"#)
            let meAfter = try await harness.curl("GET", "/v1/staff/me", certificate: "school-ws21", token: token)
            let after = try await harness.curl("GET", "/v1/organisations", certificate: "school-ws21", token: token)
            let consents = try await harness.auditEvents("staff.consent_recorded")

            #expect(gated.status == 403)
            #expect(gated.body.contains(#""code":"staff-consent-required""#))
            #expect(staffList.status == 403)
            #expect(staffList.body == gated.body)
            #expect(me.status == 200)
            #expect(AdministrationHarness.object(me.body)["consent_recorded"] as? Bool == false)
            #expect(wrongVersion.status == 422)
            #expect(recorded.status == 204)
            #expect(AdministrationHarness.object(meAfter.body)["consent_recorded"] as? Bool == true)
            #expect(after.body.contains(#""code":"forbidden""#), "past the gate, the policy decides (a navigator lists no organisations)")
            #expect(consents.count == 2)  // the admin's and the navigator's
            #expect(consents.last?.payload.contains(StaffConsent.currentVersion) == true)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("from above: the operator disables a coordinator, a coordinator its region's school accounts (their sessions end); nothing else, each refusal a 404 like an unknown account, audited")
    func disableFromAbove() async throws {
        let harness = try await AdministrationHarness.start()
        do {
            let schoolToken = try await Self.schoolAdmin(harness)
            try await harness.insertOrganisation(kind: "region", id: "50", region: "50")
            try await harness.insertOrganisation(kind: "school", id: "50-0001", region: "50")
            let operatorToken = try await harness.operatorToken()
            let coordinator = try await harness.makeStaff(
                "coordinator.77", role: "regional_coordinator", organisation: "region/77", by: operatorToken,
                adminCertificate: "operator-ws", certificate: "region77-ws")
            let coordinator50 = try await harness.makeStaff(
                "coordinator.50", role: "regional_coordinator", organisation: "region/50", by: operatorToken,
                adminCertificate: "operator-ws", certificate: "region50-ws")
            let navigator = try await harness.makeStaff(
                "nav.four", role: "navigator", organisation: nil, by: schoolToken, adminCertificate: "school", certificate: "school-ws21")
            func id(_ token: String, _ certificate: String) async throws -> String {
                let me = try await harness.curl("GET", "/v1/staff/me", certificate: certificate, token: token)
                return try #require(AdministrationHarness.object(me.body)["account"] as? String, "\(me)")
            }
            let navigatorID = try await id(navigator, "school-ws21")
            let coordinatorID = try await id(coordinator, "region77-ws")
            let schoolID = try await id(schoolToken, "school")
            let before = try await harness.auditEvents("policy.decided").count

            // Refused, each answered as an unknown account: another region's coordinator, the operator
            // on a school's account, a coordinator on another coordinator, a school on itself.
            let unknown = try await harness.curl("POST", "/v1/staff/usr_AAAAAAAAAAAAAAAAAAAAAA/disable", certificate: "region77-ws", token: coordinator)
            let otherRegion = try await harness.curl("POST", "/v1/staff/\(navigatorID)/disable", certificate: "region50-ws", token: coordinator50)
            let operatorOnSchool = try await harness.curl("POST", "/v1/staff/\(navigatorID)/disable", certificate: "operator-ws", token: operatorToken)
            let coordinatorOnCoordinator = try await harness.curl(
                "POST", "/v1/staff/\(coordinatorID)/disable", certificate: "region50-ws", token: coordinator50)
            let schoolOnItself = try await harness.curl("POST", "/v1/staff/\(schoolID)/disable", certificate: "school", token: schoolToken)
            for refused in [otherRegion, operatorOnSchool, coordinatorOnCoordinator, schoolOnItself] {
                #expect(refused.status == 404 && refused.body == unknown.body, "\(refused)")
            }
            let denials = try await harness.auditEvents("policy.decided").dropFirst(before)
            #expect(denials.count == 4, "each refusal of an existing account is audited: \(denials.map(\.payload))")
            #expect(denials.allSatisfy { $0.decision == "deny" && $0.payload.contains(#""resource": "staff""#) })

            // The coordinator disables the school's navigator: its session ends at once.
            let disabled = try await harness.curl("POST", "/v1/staff/\(navigatorID)/disable", certificate: "region77-ws", token: coordinator)
            #expect(disabled.status == 204, "\(disabled)")
            #expect(try await harness.curl("GET", "/v1/staff/me", certificate: "school-ws21", token: navigator).status == 401)
            // The operator disables the coordinator: its session ends too; re-enabled, it signs in again.
            let off = try await harness.curl("POST", "/v1/staff/\(coordinatorID)/disable", certificate: "operator-ws", token: operatorToken)
            #expect(off.status == 204, "\(off)")
            #expect(try await harness.curl("GET", "/v1/staff/me", certificate: "region77-ws", token: coordinator).status == 401)
            let on = try await harness.curl("POST", "/v1/staff/\(coordinatorID)/enable", certificate: "operator-ws", token: operatorToken)
            #expect(on.status == 204, "\(on)")
            _ = try await harness.signIn("coordinator.77", certificate: "region77-ws", consent: false)
            let changes = try await harness.auditEvents("account.changed").map(\.payload)
            #expect(changes.filter { $0.contains(#""change": "disabled""#) }.count == 2)
            #expect(try await harness.auditEvents("session.ended").filter { $0.payload.contains("account-disabled") }.count == 2)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("a coordinator of region 77 cannot create accounts for a school of region 50; a school cannot grant a role it does not hold; both audited")
    func creationScoping() async throws {
        let harness = try await AdministrationHarness.start()
        do {
            for (kind, id, region) in [("region", "77", "77"), ("region", "50", "50"), ("school", "50-0001", "50")] {
                try await harness.insertOrganisation(kind: kind, id: id, region: region)
            }
            let operatorToken = try await harness.operatorToken()
            let coordinator = try await harness.makeStaff(
                "coordinator.77", role: "regional_coordinator", organisation: "region/77", by: operatorToken,
                adminCertificate: "operator-ws", certificate: "region77-ws")
            let before = try await harness.auditEvents("policy.decided").count
            let foreign = try await harness.curl(
                "POST", "/v1/staff", certificate: "region77-ws", token: coordinator,
                json: #"{"login":"school50.admin","role":"school","organisation":"school/50-0001"}"#)
            let claimed = try await harness.curl(
                "POST", "/v1/staff", certificate: "region77-ws", token: coordinator,
                json: #"{"login":"school50.admin","role":"school","organisation":"school/50-0001","region":"77"}"#)
            let officer = try await harness.curl(
                "POST", "/v1/staff", certificate: "region77-ws", token: coordinator,
                json: #"{"login":"officer.x","role":"compliance_officer","organisation":"region/77"}"#)
            let readBack = try await harness.curl("GET", "/v1/staff", certificate: "region77-ws", token: coordinator)
            let denials = try await harness.auditEvents("policy.decided")
            let created = try await harness.owner.query("SELECT count(*) FROM accounts.accounts WHERE login IN ('school50.admin', 'officer.x')")
                .singleValue(Int.self)

            #expect(foreign.status == 403)
            #expect(foreign.body == Self.forbidden)
            #expect(claimed.status == 422, "the region is the registry's, never the body's")
            #expect(officer.status == 403)
            #expect(readBack.status == 403, "administrative roles never read staff accounts back")
            #expect(created == 0)
            #expect(denials.count - before == 3)
            #expect(denials.suffix(3).allSatisfy { $0.decision == "deny" && $0.payload.contains(#""resource": "staff""#) })
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("the gateway's role cannot create an administrator account, nor set the password of an active account, even through the 0621 functions")
    func gatewayRoleStaysNarrow() async throws {
        let harness = try await AdministrationHarness.start()
        do {
            _ = try await Self.schoolAdmin(harness)
            let account = try await harness.owner.query("SELECT id FROM accounts.accounts WHERE login = 'school.admin'").singleValue(String.self)
            let pool = harness.accountsPool
            await #expect(throws: PostgresError.self) {
                _ = try await pool.query(
                    "SELECT accounts.create_pending_account('usr_BBBBBBBBBBBBBBBBBBBBBB', 'officer.forged', 'compliance_officer', 'bilet://region/77', NULL)")
            }
            await #expect(throws: PostgresError.self) {
                _ = try await pool.execute("UPDATE accounts.accounts SET password_hash = '$argon2id$v=19$taken-over'")
            }
            await #expect(throws: PostgresError.self) {
                _ = try await pool.execute("INSERT INTO accounts.activation_codes (account_id, code_hash, expires_at) VALUES (\(account), '\\x00', now() + interval '1 day')")
            }
            // An active account gets no new code and no new password.
            let code = try await pool.query(
                "SELECT accounts.issue_activation_code(\(account), \([UInt8](repeating: 7, count: 32)), 3600)").singleValue(Date?.self)
            let activated = try await pool.query(
                "SELECT accounts.activate_account('school.admin', \([UInt8](repeating: 7, count: 32)), 'bilet://school/77-1234', '$argon2id$v=19$taken-over')"
            ).singleValue(String?.self)
            #expect(code == nil)
            #expect(activated == nil)
            let hash = try await harness.owner.query("SELECT password_hash FROM accounts.accounts WHERE id = \(account)").singleValue(String.self)
            #expect(hash != "$argon2id$v=19$taken-over")
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}
