import Accounts
import Foundation
import GnuTLS
import Identity
import PostgreSQL
import Testing

/// Pupils' own accounts on the pupils' listener (no client certificate): the school's one-time
/// activation code, the pupil's own password, sign-in with growing delays per login and per
/// address, and refusals that all look alike.
@Suite("Pupils' own accounts", .serialized)
struct PupilAccountsTests {
    static let refusal = #"{"code":"login-failed","status":401,"title":"The login was refused.","type":"about:blank"}"#
    static let school = Organisation(kind: .school, id: OrganisationID("77-1234")!)
    static let pupilToken = "sub_" + String(repeating: "A", count: 22)

    /// Issues a code for a synthetic pupil and activates it as `login` over HTTP.
    static func activated(_ harness: AdministrationHarness, login: String, pupil: String = pupilToken) async throws -> String {
        let issued = try await harness.pupils.issueActivationCode(pupil: pupil, school: school, region: "77", actor: "user:usr_AAAAAAAAAAAAAAAAAAAAAA")
        let answer = try await harness.curl(
            "POST", "/v1/pupil/activate", certificate: nil,
            json: #"{"activation_code":"\#(issued.code.text)","login":"\#(login)","password":"\#(AdministrationHarness.password)"}"#)
        guard answer.status == 204 else { throw HarnessError("pupil activation answered \(answer.status) \(answer.body)") }
        return issued.accountID
    }

    static func signIn(_ harness: AdministrationHarness, _ login: String, _ password: String) async throws -> (status: Int, body: String) {
        try await harness.curl("POST", "/v1/pupil/sessions", certificate: nil, json: #"{"login":"\#(login)","password":"\#(password)"}"#)
    }

    @Test("a pupil activates with the school's code once, signs in without a certificate and signs out; the code is stored only as a hash")
    func activationAndSession() async throws {
        let harness = try await AdministrationHarness.start()
        do {
            let issued = try await harness.pupils.issueActivationCode(
                pupil: Self.pupilToken, school: Self.school, region: "77", actor: "user:usr_AAAAAAAAAAAAAAAAAAAAAA")
            let digest = try Digest.hash(.sha256, of: Array(issued.code.normalised.utf8))
            let stored = try await harness.owner.query(
                "SELECT code_hash FROM accounts.pupil_activation_codes WHERE account_id = \(issued.accountID)").singleValue([UInt8].self)
            #expect(stored == digest)
            let body = #"{"activation_code":"\#(issued.code.text)","login":"pupil.one","password":"\#(AdministrationHarness.password)"}"#
            let first = try await harness.curl("POST", "/v1/pupil/activate", certificate: nil, json: body)
            let again = try await harness.curl("POST", "/v1/pupil/activate", certificate: nil, json: body.replacingOccurrences(of: "pupil.one", with: "pupil.two"))
            #expect(first.status == 204)
            #expect(again.status == 401)
            #expect(again.body.contains(#""code":"activation-failed""#))
            // An active account gets no new code.
            await #expect(throws: AccountsError(.alreadyActivated, "the pupil's account is active")) {
                _ = try await harness.pupils.issueActivationCode(
                    pupil: Self.pupilToken, school: Self.school, region: "77", actor: "user:usr_AAAAAAAAAAAAAAAAAAAAAA")
            }

            let opened = try await Self.signIn(harness, "pupil.one", AdministrationHarness.password)
            #expect(opened.status == 201)
            let token = try #require(AdministrationHarness.object(opened.body)["token"] as? String)
            let session = try await harness.pupils.resolve(token: token)
            #expect(session.pupil == Self.pupilToken)
            #expect(session.school == Self.school)
            #expect(session.region == "77")
            let out = try await harness.curl("DELETE", "/v1/pupil/sessions/current", certificate: nil, token: token)
            let outAgain = try await harness.curl("DELETE", "/v1/pupil/sessions/current", certificate: nil, token: token)
            #expect(out.status == 204)
            #expect(outAgain.status == 401)
            #expect(try await harness.auditEvents("auth.succeeded").contains { $0.payload.contains(#""method": "pupil_password""#) })
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("an expired pupil activation code is refused")
    func expiredCode() async throws {
        let harness = try await AdministrationHarness.start(activationLifetime: .seconds(1))
        do {
            let issued = try await harness.pupils.issueActivationCode(
                pupil: Self.pupilToken, school: Self.school, region: "77", actor: "user:usr_AAAAAAAAAAAAAAAAAAAAAA")
            try await Task.sleep(for: .milliseconds(1500))
            let answer = try await harness.curl(
                "POST", "/v1/pupil/activate", certificate: nil,
                json: #"{"activation_code":"\#(issued.code.text)","login":"pupil.late","password":"\#(AdministrationHarness.password)"}"#)
            #expect(answer.status == 401)
            #expect(answer.body.contains(#""code":"activation-failed""#))
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("unknown login, wrong password and a held-back attempt get the identical answer; the delays double with each failure")
    func throttlingGrowsAndRefusalsLookAlike() async throws {
        let throttle = PupilThrottle(baseDelay: .milliseconds(400), maximumDelay: .seconds(60))
        #expect(throttle.delay(afterFailures: 1) == .milliseconds(400))
        #expect(throttle.delay(afterFailures: 2) == .milliseconds(800))
        #expect(throttle.delay(afterFailures: 3) == .milliseconds(1600))
        #expect(throttle.delay(afterFailures: 40) == .seconds(60))
        let harness = try await AdministrationHarness.start(throttle: throttle)
        do {
            _ = try await Self.activated(harness, login: "pupil.three")
            // Each failure doubles the delay of its login and of its address (all from 127.0.0.1).
            let unknown = try await Self.signIn(harness, "nobody.here", "some wrong password")  // address: 400 ms
            try await Task.sleep(for: .milliseconds(500))
            let wrong = try await Self.signIn(harness, "pupil.three", "some wrong password")  // login: 400 ms, address: 800 ms
            #expect(throttle.failures(login: "pupil.three") == 1)
            // Held back: even the right password is refused, exactly alike, and not counted.
            let held = try await Self.signIn(harness, "pupil.three", AdministrationHarness.password)
            #expect(throttle.failures(login: "pupil.three") == 1)
            try await Task.sleep(for: .milliseconds(900))
            let wrongAgain = try await Self.signIn(harness, "pupil.three", "another wrong password")  // login: 800 ms, address: 1600 ms
            #expect(throttle.failures(login: "pupil.three") == 2)
            try await Task.sleep(for: .milliseconds(900))
            let stillHeld = try await Self.signIn(harness, "pupil.three", AdministrationHarness.password)
            try await Task.sleep(for: .milliseconds(800))
            let opened = try await Self.signIn(harness, "pupil.three", AdministrationHarness.password)

            for refusal in [unknown, wrong, held, wrongAgain, stillHeld] {
                #expect(refusal.status == 401)
                #expect(refusal.body == Self.refusal)
            }
            #expect(opened.status == 201, "\(opened.body)")
            #expect(throttle.failures(login: "pupil.three") == 0)
            let failures = try await harness.auditEvents("auth.failed").filter { $0.payload.contains(#""method": "pupil_password""#) }
            #expect(failures.map { $0.payload.contains("throttled") }.filter { $0 }.count == 2)
            #expect(failures.allSatisfy { !$0.payload.contains("pupil.three") && !$0.payload.contains("nobody.here") })
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("failures from one address hold back every login from that address, whether the login exists or not")
    func throttlingPerAddress() async throws {
        let throttle = PupilThrottle(baseDelay: .seconds(30))
        let harness = try await AdministrationHarness.start(throttle: throttle)
        do {
            _ = try await Self.activated(harness, login: "pupil.four")
            let probe = try await Self.signIn(harness, "someone.else", "a wrong password here")
            // Same client address (127.0.0.1), another login with the right password: held back.
            let held = try await Self.signIn(harness, "pupil.four", AdministrationHarness.password)
            #expect(probe.body == Self.refusal)
            #expect(held.status == 401)
            #expect(held.body == Self.refusal)
            #expect(throttle.isBlocked(login: "pupil.four", address: "127.0.0.1"))
            #expect(!throttle.isBlocked(login: "pupil.four", address: "192.0.2.1"))
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}
