import Accounts
import Audit
import Foundation
import GnuTLS
import Identity
import PostgreSQL
import Synchronization
import TLS
import Testing

/// Finding M4 of the first security review: authentication failures beyond a per-principal
/// threshold become one aggregated record per window instead of one Merkle leaf each.
@Suite("Authentication failures are aggregated beyond a per-principal threshold")
struct AuthFailureAggregationTests {
    /// A clock the test moves.
    final class TestClock: Sendable {
        let start = ContinuousClock.now
        let offset = Mutex(Duration.zero)
        var now: @Sendable () -> ContinuousClock.Instant { { [self] in self.start + self.offset.withLock { $0 } } }
        func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
    }

    static let badToken = String(repeating: "A", count: 43)

    /// The review's demonstration: a loop of requests with a bad bearer token from one
    /// workstation. Without aggregation each is a leaf (100 records); with it, at most
    /// threshold + 1 within the minute, and the aggregate says how many it stands for.
    @Test("100 bad bearer tokens from one workstation make at most threshold + 1 records in a minute")
    func badBearerTokens() async throws {
        let harness = try await StaffHarness.start()
        let clock = TestClock()
        let aggregator = AuthFailureAggregator(pool: harness.accountsPool, threshold: 10, window: .seconds(60), now: clock.now)
        let sessions = StaffSessions(pool: harness.accountsPool, failures: aggregator)
        let workstation = PresentedCertificate(principal: try IdentityURI.parse("bilet://school/77-1234/ws/21"), serial: [0x21])
        let other = PresentedCertificate(principal: try IdentityURI.parse("bilet://school/77-1234/ws/22"), serial: [0x22])
        for n in 0..<100 {
            let token = n % 2 == 0 ? Self.badToken : "malformed!"
            let error = await #expect(throws: AccountsError.self) { try await sessions.resolve(token: token, certificate: workstation) }
            #expect(error?.code == .sessionRefused)
            clock.advance(.milliseconds(100))  // 100 requests within ten seconds
        }
        // Another workstation is not held to the first one's threshold.
        await #expect(throws: AccountsError.self) { try await sessions.resolve(token: Self.badToken, certificate: other) }
        let duringWindow = try await harness.auditEvents("auth.failed")
        #expect(try await aggregator.flush() == 0)  // the window has not ended yet
        clock.advance(.seconds(60))
        #expect(try await aggregator.flush() == 1)
        let afterWindow = try await harness.auditEvents("auth.failed")
        await harness.stop()

        let first = duringWindow.filter { $0.actor == "bilet://school/77-1234/ws/21" }
        #expect(first.count == 10)
        #expect(duringWindow.filter { $0.actor == "bilet://school/77-1234/ws/22" }.count == 1)
        let mine = afterWindow.filter { $0.actor == "bilet://school/77-1234/ws/21" }
        #expect(mine.count == 11)
        let aggregate = try #require(mine.last?.payload)
        #expect(aggregate.contains(#""count": 90"#), "\(aggregate)")
        #expect(aggregate.contains(#""window_seconds": 60"#))
        #expect(aggregate.contains(#""method": "session""#))
        #expect(aggregate.contains(#""certificate": "serial:21""#))
    }

    @Test("logins beyond the threshold are aggregated too, and still count toward the lockout")
    func failedLoginsAggregated() async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("officer.four")
        let clock = TestClock()
        let aggregator = AuthFailureAggregator(pool: harness.accountsPool, threshold: 3, window: .seconds(60), now: clock.now)
        let hashKey = try AuditHashKey(sourceKey: SymmetricKey(bytes: try SecureRandom.bytes(count: 32)), version: 1)
        let login = StaffLogin(
            pool: harness.accountsPool, hasher: try PasswordHasher(parameters: StaffHarness.fastArgon2), hashKey: hashKey, failures: aggregator)
        let workstation = PresentedCertificate(principal: try IdentityURI.parse("bilet://school/77-1234/ws/21"), serial: [0x21])
        for _ in 0..<8 {
            await #expect(throws: AccountsError.self) {
                try await login.login("officer.four", password: "wrong password again", certificate: workstation)
            }
        }
        let locked = try await harness.database.withPool { pool in
            try await pool.query("SELECT locked_until IS NOT NULL FROM accounts.accounts WHERE login = 'officer.four'").singleValue(Bool.self)
        }
        #expect(try await aggregator.flush(force: true) == 1)
        let records = try await harness.auditEvents("auth.failed")
        await harness.stop()
        #expect(locked)
        #expect(records.count == 4)
        #expect(records.last?.payload.contains(#""count": 5"#) == true)
        #expect(records.last?.payload.contains(#""method": "password""#) == true)
    }

    /// The pupils' listener takes activation codes from anyone on the internet, without a
    /// certificate: refused codes beyond the threshold must not each be a record of their own
    /// (before this, every refused code was an `auth.failed` leaf: an anonymous loop grew the log).
    @Test("refused pupil activation codes beyond the threshold are aggregated")
    func refusedPupilActivations() async throws {
        let harness = try await StaffHarness.start()
        let clock = TestClock()
        let aggregator = AuthFailureAggregator(pool: harness.accountsPool, threshold: 3, window: .seconds(60), now: clock.now)
        let hashKey = try AuditHashKey(sourceKey: SymmetricKey(bytes: try SecureRandom.bytes(count: 32)), version: 1)
        let pupils = PupilAccounts(
            pool: harness.accountsPool, hasher: try PasswordHasher(parameters: StaffHarness.fastArgon2),
            attemptedAccountHash: { login in try? hashKey.hash(login, field: StaffLogin.attemptedAccountField).description },
            failures: aggregator)
        for n in 0..<20 {
            let code = try ActivationCode.generate().text  // well formed, never issued
            let error = await #expect(throws: AccountsError.self) {
                try await pupils.activate(code: code, login: "pupil.guess\(n)", password: "synthetic pass phrase 1")
            }
            #expect(error?.code == .activationFailed)
        }
        let duringWindow = try await harness.auditEvents("auth.failed")
        clock.advance(.seconds(61))
        #expect(try await aggregator.flush() == 1)
        let afterWindow = try await harness.auditEvents("auth.failed")
        await harness.stop()
        let mine = duringWindow.filter { $0.actor == PupilAccounts.listenerActor }
        #expect(mine.count == 3, "\(mine.count) records for 20 refused codes")
        #expect(mine.allSatisfy { $0.payload.contains(#""method": "pupil_activation""#) })
        let aggregate = try #require(afterWindow.filter { $0.actor == PupilAccounts.listenerActor }.last?.payload)
        #expect(aggregate.contains(#""count": 17"#), "\(aggregate)")
    }

    /// Refused client certificates (the gateway's HandshakeRefusalObserver seam): each is
    /// recorded as auth.failed method certificate with the serial and issuer digest, nothing
    /// personal; beyond the threshold, one aggregate.
    @Test("refused client certificates are audited, aggregated per certificate beyond the threshold")
    func refusedCertificates() async throws {
        let harness = try await StaffHarness.start()
        let clock = TestClock()
        let aggregator = AuthFailureAggregator(pool: harness.accountsPool, threshold: 10, window: .seconds(60), now: clock.now)
        let pem = try Data(contentsOf: URL(fileURLWithPath: harness.pki.path("other-school.pem")))
        let certificate = try X509Certificate.list(pem: Array(pem))[0]
        let refusal = HandshakeRefusal(listener: "workstations", refusal: .unknownIssuer, chain: [certificate.der])
        let serial = try harness.serial("other-school")
        #expect(refusal.serial == serial)
        #expect(refusal.issuerDigest?.count == 64)
        for _ in 0..<40 { aggregator.handshakeRefused(refusal) }
        aggregator.handshakeRefused(HandshakeRefusal(listener: "workstations", refusal: .noCertificate, chain: []))
        #expect(try await aggregator.flush() == 11)  // ten of that certificate, one without any
        clock.advance(.seconds(61))
        #expect(try await aggregator.flush() == 1)
        let records = try await harness.auditEvents("auth.failed")
        await harness.stop()
        #expect(records.count == 12)
        let mine = records.filter { $0.actor == "serial:\(serial)" }
        #expect(mine.count == 11)
        #expect(mine.first?.payload.contains(#""method": "certificate""#) == true)
        #expect(mine.first?.payload.contains(#""reason": "unknown_issuer""#) == true)
        #expect(mine.first?.payload.contains(#""issuer": ""#) == true)
        #expect(mine.last?.payload.contains(#""count": 30"#) == true)
        #expect(records.contains { $0.actor == "gateway:no-certificate" && $0.payload.contains(#""reason": "no_certificate""#) })
    }
}
