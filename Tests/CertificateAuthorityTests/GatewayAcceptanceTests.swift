import CertificateAuthority
import Foundation
import GnuTLS
import TLS
import TLSTestSupport
import Testing

/// Certificates this CA issued, presented to a real gateway by real clients; revocation pushed
/// through PostgreSQL LISTEN/NOTIFY closes live connections.
@Suite(.serialized) struct GatewayAcceptanceTests {
    static let request = "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\n\r\n"

    @Test func issuedWorkstationAndServiceCertificatesAreAccepted() async throws {
        let harness = try await CAGatewayHarness.start(subscriber: false)
        try await harness.fixture.enrol("bilet://school/77-1234/ws/3", name: "ws")
        try await harness.fixture.enrol("bilet://service/assessment", name: "service")
        try await harness.fixture.enrol("bilet://region/77/ws/9", name: "ed", keyType: .ed25519)
        let workstation = try await harness.curl("ws")
        let service = try await harness.curl("service")
        let ed25519 = try await harness.curl("ed")
        await harness.stop()
        #expect(workstation.status == "200", "\(workstation.body)")
        #expect(workstation.body.contains(#""principal":"bilet://school/77-1234/ws/3""#))
        #expect(service.status == "200", "\(service.body)")
        #expect(service.body.contains(#""principal":"bilet://service/assessment""#))
        #expect(ed25519.status == "200", "\(ed25519.body)")
        #expect(ed25519.body.contains(#""principal":"bilet://region/77/ws/9""#))
    }

    @Test func aGOSTWorkstationCompletesAGOSTHandshake() async throws {
        let harness = try await CAGatewayHarness.start(subscriber: false)
        try await harness.fixture.enrol("bilet://school/77-1234/ws/4", name: "gost-ws", keyType: .gost256)
        let result = try await ToolRunner.run("gnutls-cli", [
            "--x509cafile", harness.fixture.path("ca-bundle.pem"), "--priority", RenewalClient.gostPriority,
            "--x509certfile", harness.fixture.path("gost-ws.pem"), "--x509keyfile", harness.fixture.path("gost-ws.key"),
            "-p", "\(harness.listeningPort)", "127.0.0.1",
        ], input: "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        await harness.stop()
        #expect(result.stdout.contains("HTTP/1.1 200 OK"), "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains(#""principal":"bilet://school/77-1234/ws/4""#))
        #expect(result.stdout.contains(#""cipherSuite":"TLS_GOSTR341112_256_WITH_28147_CNT_IMIT""#), "\(result.stdout)")
        #expect(result.stdout.contains("(TLS1.2-X.509)-(VKO-GOST-12)-(GOST28147-TC26Z-CNT)-(GOST28147-TC26Z-IMIT)"))
    }

    @Test func revokingWithTheCommandClosesTheLiveConnectionWithinFiveSeconds() async throws {
        let observer = RecordingObserver()
        let harness = try await CAGatewayHarness.start(observers: [observer])
        let doomed = try await harness.fixture.enrol("bilet://school/77-1234/ws/3", name: "ws")
        try await harness.fixture.enrol("bilet://service/assessment", name: "service")
        let victim = try harness.keepAliveClient("ws")
        let bystander = try harness.keepAliveClient("service")
        victim.send(Self.request)
        bystander.send(Self.request)
        #expect(await victim.waitForOutput("bilet://school/77-1234/ws/3"))
        #expect(await bystander.waitForOutput("bilet://service/assessment"))
        #expect(harness.registry.authenticatedConnectionCount == 2)

        let clock = ContinuousClock()
        let started = clock.now
        let revoke = try await BiletBinary.run(
            ["certs", "revoke", doomed.record.serial, "--reason", "key_compromise"] + harness.cliOptions)
        #expect(revoke.status == 0, "\(revoke.stdout)\(revoke.stderr)")
        #expect(revoke.stdout.contains("revoked \(doomed.record.serial)"))
        let revoked = clock.now
        let closed = await victim.waitForExit(timeout: .seconds(5))
        let elapsed = clock.now - revoked
        #expect(closed, "the revoked client's connection stayed open")
        #expect(elapsed < .seconds(5), "closed \(elapsed) after the revocation committed (the command took \(revoked - started))")

        // the other client is untouched; new handshakes with the revoked certificate are refused
        #expect(bystander.isRunning)
        bystander.send(Self.request)
        #expect(await bystander.waitForOutput("bilet://service/assessment", count: 2))
        #expect(try await harness.curl("ws").status != "200")
        #expect(try await harness.curl("service").status == "200")
        // the staff-session hook heard of exactly this certificate
        let expected = RevocationKey(issuer: doomed.certificate.rawIssuer, serial: doomed.certificate.serialNumber)
        #expect(observer.calls == [[expected]])
        await victim.stop()
        await bystander.stop()
        let events = try await harness.fixture.auditEvents("certificate.revoked")
        #expect(events.map(\.actor) == ["admin:test"])
        #expect(events.first?.payload["reason"] == "key_compromise")
        await harness.stop()
        #expect(!harness.logs.messages(containing: "crl applied").isEmpty)
    }

    @Test func aRevocationPublishedWhileTheSubscriberWasAwayIsAppliedWhenItReconnects() async throws {
        let harness = try await CAGatewayHarness.start()
        let doomed = try await harness.fixture.enrol("bilet://school/77-1234/ws/3", name: "ws")
        #expect(try await harness.curl("ws").status == "200")
        // cut the subscriber's connection, then revoke while it is away
        try await harness.fixture.database.withPool { pool in
            _ = try await pool.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(RevocationListSubscriber.applicationName)")
        }
        _ = try await harness.fixture.authority().revoke(serial: doomed.record.serial, reason: .cessationOfOperation, actor: "admin:test")
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        var refused = false
        while !refused && clock.now < deadline {
            refused = try await harness.curl("ws").status != "200"
            if !refused { try await Task.sleep(for: .milliseconds(200)) }
        }
        await harness.stop()
        #expect(refused)
        #expect(!harness.logs.messages(containing: "crl subscriber lost its database connection").isEmpty)
        #expect(harness.logs.messages(containing: "crl subscriber listening").count >= 2)
    }
}
