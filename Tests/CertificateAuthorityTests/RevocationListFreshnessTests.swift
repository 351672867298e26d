import CertificateAuthority
import Foundation
import GnuTLS
import Logging
import Synchronization
import TLS
import TLSTestSupport
import Testing

/// A clock the test moves, in seconds since 1970.
final class TestClock: Sendable {
    private let seconds: Mutex<Int>
    init(_ start: Int) { self.seconds = Mutex(start) }
    func advance(to value: Int) { self.seconds.withLock { $0 = value } }
    var now: Int { self.seconds.withLock { $0 } }
}

/// CRLs are re-signed before they pass their nextUpdate (service and `bilet certs crl --refresh`),
/// and a gateway holding a stale CRL refuses client certificates with `crl-expired`.
@Suite(.serialized) struct RevocationListFreshnessTests {
    static func authority(_ fixture: CAFixture, lifetime: Int, clock: TestClock? = nil) -> CertificateAuthority {
        if let clock {
            return CertificateAuthority(issuers: fixture.issuers, pool: fixture.pool, revocationListLifetime: lifetime, clock: { clock.now })
        }
        return CertificateAuthority(issuers: fixture.issuers, pool: fixture.pool, revocationListLifetime: lifetime)
    }

    @Test func aRefreshReSignsOnlyTheCRLsThatAreMissingDueOrStale() async throws {
        let fixture = try await CAFixture.make()
        defer { Task { await fixture.tearDown() } }
        let start = Int(Date().timeIntervalSince1970)
        let clock = TestClock(start)
        let authority = Self.authority(fixture, lifetime: 9, clock: clock)

        // nothing stored yet: both hierarchies are published
        let first = try await authority.refreshRevocationLists()
        #expect(first.published.map(\.hierarchy) == [.ecdsa, .gost])
        #expect(first.newest == first.published)
        // 6 s of 9 left (more than a third): nothing
        clock.advance(to: start + 3)
        #expect(try await authority.refreshRevocationLists().published.isEmpty)
        // exactly a third left is not less than a third
        clock.advance(to: start + 6)
        #expect(try await authority.refreshRevocationLists().published.isEmpty)
        // less than a third left: re-signed, same entries, new numbers, new dates
        clock.advance(to: start + 7)
        let due = try await authority.refreshRevocationLists()
        #expect(due.published.map(\.hierarchy) == [.ecdsa, .gost])
        #expect(due.published.map(\.number) == [4, 5])
        #expect(due.published.map { Int($0.nextUpdate.timeIntervalSince1970) } == [start + 16, start + 16])
        // long past nextUpdate (a CA process that was down): re-signed at once
        clock.advance(to: start + 1000)
        #expect(try await authority.refreshRevocationLists().published.map(\.number) == [6, 7])
        // a larger fraction re-signs earlier
        clock.advance(to: start + 1004)
        #expect(try await authority.refreshRevocationLists().published.isEmpty)
        #expect(try await authority.refreshRevocationLists(refreshFraction: 0.75).published.count == 2)

        let refused = await #expect(throws: CertificateAuthorityError.self) { try await authority.refreshRevocationLists(refreshFraction: 1) }
        #expect(refused?.code == .invalidArgument)
        let rows = try await fixture.query("SELECT crl_number FROM ca.revocation_lists ORDER BY crl_number")
        #expect(try rows.map { try $0.decode(Int64.self, at: 0) } == [2, 3, 4, 5, 6, 7, 8, 9])
    }

    @Test(arguments: [(0.0, false), (1.0, false), (-0.5, false), (0.5, true)])
    func theRefresherTakesOnlyAFractionBetweenZeroAndOne(fraction: Double, accepted: Bool) async throws {
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        do throws(CertificateAuthorityError) {
            _ = try RevocationListRefresher(authority: fixture.authority(), refreshFraction: fraction, logger: Logger(label: "test"))
            #expect(accepted)
        } catch {
            #expect(!accepted)
            #expect(error.code == .invalidArgument)
        }
    }

    @Test func theCommandRefreshesOnlyWhatIsDue() async throws {
        let fixture = try await CAFixture.make()
        defer { Task { await fixture.tearDown() } }
        let options = [
            "--ca-dir", fixture.authorityDirectory.path, "--issuing-passphrase-file", fixture.issuingPassphraseFile,
            "--database-url", fixture.database.configuration.connectionString, "--actor", "admin:test",
        ]
        let first = try await BiletBinary.run(["certs", "crl", "--refresh"] + options)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("published CRL 2 of the ecdsa hierarchy"), "\(first.stdout)")
        #expect(first.stdout.contains("published CRL 3 of the gost hierarchy"), "\(first.stdout)")
        let second = try await BiletBinary.run(["certs", "crl", "--refresh", "--out", fixture.path("crl.pem")] + options)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stdout.contains("published"), "\(second.stdout)")
        #expect(second.stdout.contains("CRL 2 of the ecdsa hierarchy is current"), "\(second.stdout)")
        // the database's two CRLs and the two roots' CRLs: a CRL of every CA of the bundle (issue 12, M1)
        let written = try CertificateRevocationList.list(pem: try ProtectedFile.readPublic(fixture.path("crl.pem")))
        let bundle = try TrustStore(pemBundle: try ProtectedFile.readPublic(fixture.authorityDirectory.bundle)).authorities
        #expect(written.count == 4)
        #expect(Set(written.map(\.rawIssuer)) == Set(bundle.map(\.rawSubject)))
        let bad = try await BiletBinary.run(["certs", "crl", "--refresh", "--refresh-fraction", "1.5"] + options)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--refresh-fraction"), "\(bad.stderr)")
    }

    @Test func aGatewayRefusesWithAStaleCRLAndTheRefresherKeepsItsCRLFresh() async throws {
        let harness = try await CAGatewayHarness.start()
        try await harness.fixture.enrol("bilet://school/77-1234/ws/3", name: "ws")
        let clock = ContinuousClock()

        // a CRL that lives 3 seconds, and no one to re-sign it
        let short = Self.authority(harness.fixture, lifetime: 3)
        let published = try await short.publishRevocationLists()
        let nextUpdate = try #require(published.map { Int($0.nextUpdate.timeIntervalSince1970) }.max())
        var applied = false
        let appliedBy = clock.now + .seconds(5)
        while !applied && clock.now < appliedBy {
            applied = !harness.logs.messages(containing: "crl applied").isEmpty
            if !applied { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(applied)
        #expect(try await harness.curl("ws").status == "200")
        while Int(Date().timeIntervalSince1970) <= nextUpdate + 1 { try await Task.sleep(for: .milliseconds(100)) }
        let stale = try await harness.curl("ws")
        #expect(stale.status != "200", "\(stale.body)")
        let refusals = harness.logs.messages(containing: "tls client certificate refused")
        #expect(refusals.contains { $0.metadata["tls.refusal"] == "crl-expired" }, "\(refusals.map(\.metadata))")

        // the refresher finds the CRLs stale at start, re-signs them, and keeps them fresh
        let logs = RecordingLogHandler.Store()
        let refresher = try RevocationListRefresher(
            authority: Self.authority(harness.fixture, lifetime: 4), refreshFraction: 0.5, checkInterval: .seconds(1),
            logger: RecordingLogHandler.logger(logs))
        let running = Task { try await refresher.run() }
        var back = false
        let backBy = clock.now + .seconds(5)
        while !back && clock.now < backBy {
            back = try await harness.curl("ws").status == "200"
            if !back { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(back, "the refreshed CRL did not reach the gateway")
        // over three CRL lifetimes the client is never refused
        var refusedWhileRefreshing = 0
        let until = clock.now + .seconds(12)
        while clock.now < until {
            if try await harness.curl("ws").status != "200" { refusedWhileRefreshing += 1 }
            try await Task.sleep(for: .milliseconds(500))
        }
        running.cancel()
        _ = try? await running.value
        let refreshes = logs.messages(containing: "crl refreshed")
        await harness.stop()
        #expect(refusedWhileRefreshing == 0)
        // 2 hierarchies at start, then every 2 s or so for 12 s
        #expect(refreshes.count >= 8, "\(refreshes.count) refreshes")
        #expect(Set(refreshes.compactMap { $0.metadata["crl.hierarchy"] }) == ["ecdsa", "gost"])
    }
}
