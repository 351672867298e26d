import Synchronization
import Accounts
import Audit
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

            // With a workstation certificate the pupils' routes do not exist: the right password
            // opens nothing, and the answer is that of a route that is not there.
            let notHere = #"{"code":"route-not-found","status":404,"title":"No such route.","type":"about:blank"}"#
            let onWorkstation = try await harness.curl(
                "POST", "/v1/pupil/sessions", certificate: "school",
                json: #"{"login":"pupil.one","password":"\#(AdministrationHarness.password)"}"#)
            #expect(onWorkstation.status == 404 && onWorkstation.body == notHere, "\(onWorkstation)")
            let outOnWorkstation = try await harness.curl("DELETE", "/v1/pupil/sessions/current", certificate: "school", token: "x")
            #expect(outOnWorkstation.status == 404 && outOnWorkstation.body == notHere, "\(outOnWorkstation)")

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
        // The throttle's clock moves only when the test moves it, so the delays are exact whatever the
        // machine's load (a sign-in's Argon2id check takes its own, varying, time).
        let clock = ManualClock()
        let throttle = PupilThrottle(baseDelay: .milliseconds(400), maximumDelay: .seconds(60), now: { clock.now })
        #expect(throttle.delay(afterFailures: 1) == .milliseconds(400))
        #expect(throttle.delay(afterFailures: 2) == .milliseconds(800))
        #expect(throttle.delay(afterFailures: 3) == .milliseconds(1600))
        #expect(throttle.delay(afterFailures: 40) == .seconds(60))
        let harness = try await AdministrationHarness.start(throttle: throttle)
        do {
            _ = try await Self.activated(harness, login: "pupil.three")
            // Each failure doubles the delay of its login and of its address (all from 127.0.0.1).
            let unknown = try await Self.signIn(harness, "nobody.here", "some wrong password")  // address: 400 ms
            clock.advance(by: .milliseconds(500))
            let wrong = try await Self.signIn(harness, "pupil.three", "some wrong password")  // login: 400 ms, address: 800 ms
            #expect(throttle.failures(login: "pupil.three") == 1)
            // Held back: even the right password is refused, exactly alike, and not counted.
            let held = try await Self.signIn(harness, "pupil.three", AdministrationHarness.password)
            #expect(throttle.failures(login: "pupil.three") == 1)
            clock.advance(by: .milliseconds(900))
            let wrongAgain = try await Self.signIn(harness, "pupil.three", "another wrong password")  // login: 800 ms, address: 1600 ms
            #expect(throttle.failures(login: "pupil.three") == 2)
            clock.advance(by: .milliseconds(900))
            let stillHeld = try await Self.signIn(harness, "pupil.three", AdministrationHarness.password)
            clock.advance(by: .milliseconds(800))
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

    @Test("an unknown login, a wrong password and a held-back attempt cause the same database work and take about the same time")
    func refusalsCostTheSame() async throws {
        // A throttle that never holds back, for the first two; a separate one that always does.
        let harness = try await AdministrationHarness.start(throttle: PupilThrottle(baseDelay: .nanoseconds(1)))
        do {
            _ = try await Self.activated(harness, login: "pupil.five")
            let hasher = try PasswordHasher(parameters: StaffHarness.fastArgon2)
            let hashKey = try AuditHashKey(sourceKey: SymmetricKey(bytes: try SecureRandom.bytes(count: 32)), version: 1)
            let attempted: @Sendable (String) async -> String? = { try? hashKey.hash($0, field: StaffLogin.attemptedAccountField).description }
            let components = harness.database.components(maxConnectionsPerComponent: 1)

            /// Index scans of accounts.pupil_accounts caused by `attempts` refused sign-ins of `name`.
            func indexScans(_ name: String, throttle: PupilThrottle, attempts: Int) async throws -> Int {
                let before = try await IndexScans.stable(harness.database, schema: "accounts", table: "pupil_accounts")
                let pool = components.makePool(for: .accounts)
                let pupils = PupilAccounts(pool: pool, hasher: hasher, attemptedAccountHash: attempted, throttle: throttle)
                for _ in 0..<attempts {
                    await #expect(throws: AccountsError(.loginFailed, "the login was refused")) {
                        try await pupils.login(name, password: "a wrong password here", address: nil)
                    }
                }
                await pool.shutdown()  // the backend flushes its statistics as it exits
                return try await IndexScans.stable(harness.database, schema: "accounts", table: "pupil_accounts", after: before) - before
            }
            let open = PupilThrottle(baseDelay: .nanoseconds(1))
            let unknown = try await indexScans("pupil.unknown", throttle: open, attempts: 4)
            let wrong = try await indexScans("pupil.five", throttle: open, attempts: 4)
            let closed = PupilThrottle(baseDelay: .seconds(3600))
            closed.recordFailure(login: "pupil.five", address: nil)
            let held = try await indexScans("pupil.five", throttle: closed, attempts: 4)
            #expect(unknown == wrong, "unknown \(unknown) vs wrong password \(wrong) index scans")
            #expect(held == wrong, "held back \(held) vs wrong password \(wrong) index scans")
            #expect(unknown == 8)

            // Timing: medians of interleaved attempts (fast Argon2id, so the database work dominates).
            let pupils = PupilAccounts(
                pool: harness.accountsPool, hasher: hasher, attemptedAccountHash: attempted,
                throttle: open)
            var times: [String: [Duration]] = [:]
            let clock = ContinuousClock()
            for round in 0..<40 {
                for name in round % 2 == 0 ? ["pupil.unknown", "pupil.five"] : ["pupil.five", "pupil.unknown"] {
                    let elapsed = await clock.measure { _ = try? await pupils.login(name, password: "a wrong password here", address: nil) }
                    times[name, default: []].append(elapsed)
                }
            }
            let medians = times.mapValues { $0.sorted()[$0.count / 2] }
            let unknownMedian = medians["pupil.unknown"] ?? .zero
            let wrongMedian = medians["pupil.five"] ?? .zero
            let difference = unknownMedian > wrongMedian ? unknownMedian - wrongMedian : wrongMedian - unknownMedian
            #expect(difference <= max(max(unknownMedian, wrongMedian) * 0.25, .milliseconds(3)), "unknown \(unknownMedian), wrong \(wrongMedian)")
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}

/// A clock for the throttle that stands still until the test advances it.
final class ManualClock: Sendable {
    private let offset = Mutex<Duration>(.zero)
    private let origin = ContinuousClock.now

    var now: ContinuousClock.Instant { origin + offset.withLock { $0 } }

    func advance(by duration: Duration) {
        offset.withLock { $0 += duration }
    }
}
