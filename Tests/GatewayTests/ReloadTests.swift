import Foundation
import Gateway
import TLS
import TLSTestSupport
import Testing

/// Live reload of the CRL and the server certificate: atomic, bad files keep the old material,
/// connections in flight continue, revoked connections are closed.
@Suite(.serialized) struct ReloadTests {
    static func keepAliveClient(_ harness: GatewayHarness<TestPKI>, _ client: TestPKI.Client) throws -> InteractiveTool {
        try InteractiveTool("openssl", [
            "s_client", "-quiet", "-connect", "127.0.0.1:\(harness.port("workstations"))", "-CAfile", harness.pki.caBundle,
            "-cert", harness.pki.certificate(client), "-key", harness.pki.key(client),
        ])
    }

    static let request = "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\n\r\n"

    @Test func aNewCRLRefusesTheCertificateAndClosesItsOpenConnection() async throws {
        let harness = try await GatewayHarness.start()
        let venue = try Self.keepAliveClient(harness, .venue)
        let school = try Self.keepAliveClient(harness, .school)
        defer {
            Task {
                await venue.stop()
                await school.stop()
            }
        }
        venue.send(Self.request)
        school.send(Self.request)
        #expect(await venue.waitForOutput("bilet://venue/77-0042/ws/1"))
        #expect(await school.waitForOutput("bilet://school/77-1234/ws/3"))
        #expect(harness.registry.authenticatedConnectionCount == 2)
        #expect(split(try await harness.curl("workstations", .venue)).status == "200")
        // curl's own connection (same certificate) must be gone first, or the revocation rightly closes it too
        #expect(await Self.waitUntil { harness.registry.authenticatedConnectionCount == 2 })

        try harness.replaceMaterial("crl.pem", withContentsOf: harness.pki.path("crl-revoking-venue.pem"))
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await venue.waitForExit(timeout: .seconds(5)), "the revoked client's connection stayed open")
        #expect(clock.now - start < .seconds(3))

        // the other connection is untouched and keeps working
        #expect(school.isRunning)
        school.send(Self.request)
        #expect(await school.waitForOutput("bilet://school/77-1234/ws/3", count: 2))

        // new handshakes: the revoked certificate is refused, others are served
        let refused = try await harness.curl("workstations", .venue)
        #expect(split(refused).status != "200")
        #expect(split(try await harness.curl("workstations", .school)).status == "200")
        await harness.stop()

        let closed = harness.logs.messages(containing: "client certificate revoked")
        #expect(closed.count == 1)
        #expect(closed.first?.metadata["tls.refusal"] == "revoked")
        #expect(harness.logs.messages(containing: "tls material reloaded").count == 1)
        #expect(harness.logs.messages(containing: "tls client certificate refused").map { $0.metadata["tls.refusal"] } == ["revoked"])
    }

    @Test(arguments: [
        ("garbage", "invalid-crl"),
        ("other-ca", "untrusted-crl"),
    ])
    func aBadCRLKeepsTheOldMaterial(kind: String, code: String) async throws {
        let harness = try await GatewayHarness.start()
        let school = try Self.keepAliveClient(harness, .school)
        defer { Task { await school.stop() } }
        school.send(Self.request)
        #expect(await school.waitForOutput("bilet://school/77-1234/ws/3"))

        let bad = harness.workDirectory.appendingPathComponent("bad-crl.pem").path
        if kind == "garbage" {
            try "-----BEGIN X509 CRL-----\nnot base64 at all\n-----END X509 CRL-----\n".write(toFile: bad, atomically: true, encoding: .utf8)
        } else {
            try await Self.crlOfOtherCA(harness.pki, into: bad)
        }
        try harness.replaceMaterial("crl.pem", withContentsOf: bad)
        let logged = await Self.waitUntil { !harness.logs.messages(containing: "reload failed").isEmpty }
        #expect(logged)
        let failure = harness.logs.messages(containing: "reload failed").first
        #expect(failure?.level == .error)
        #expect(failure?.metadata["error.code"] == code)
        #expect(failure?.metadata["tls.file.role"] == "crl")
        #expect(harness.gateway.material.current.generation == 1)

        // the open connection and new handshakes go on with the old material
        school.send(Self.request)
        #expect(await school.waitForOutput("bilet://school/77-1234/ws/3", count: 2))
        #expect(split(try await harness.curl("workstations", .school)).status == "200")
        #expect(split(try await harness.curl("workstations", .revoked)).status != "200")
        // the bad file is not retried over and over
        try await Task.sleep(for: .milliseconds(600))
        #expect(harness.logs.messages(containing: "reload failed").count == 1)

        // a good file afterwards is picked up
        try harness.replaceMaterial("crl.pem", withContentsOf: harness.pki.path("crl-revoking-venue.pem"))
        #expect(await Self.waitUntil { harness.gateway.material.current.generation == 2 })
        await harness.stop()
    }

    @Test func aNewServerCertificateIsUsedByNewHandshakesWhileOldConnectionsContinue() async throws {
        let harness = try await GatewayHarness.start()
        let school = try Self.keepAliveClient(harness, .school)
        defer { Task { await school.stop() } }
        school.send(Self.request)
        #expect(await school.waitForOutput("bilet://school/77-1234/ws/3"))
        let before = try await Self.serverSerial(harness)

        let name = "server-\(UUID().uuidString.prefix(8))"
        try await harness.pki.issue(name, by: "ca", template: [
            "cn = \"localhost\"", "dns_name = \"localhost\"", "ip_address = \"127.0.0.1\"", "tls_www_server", "signing_key",
            "expiration_days = 30",
        ])
        // key first, then certificate: in between, the pair does not match and the reload must fail safely
        try harness.replaceMaterial("server.key", withContentsOf: harness.pki.path("\(name).key"))
        try await Task.sleep(for: .milliseconds(500))
        #expect(split(try await harness.curl("workstations", .school)).status == "200")
        try harness.replaceMaterial("server.pem", withContentsOf: harness.pki.path("\(name).pem"))
        #expect(await Self.waitUntil { harness.gateway.material.current.generation == 2 })

        let after = try await Self.serverSerial(harness)
        #expect(before != after)
        #expect(!after.isEmpty)
        school.send(Self.request)
        #expect(await school.waitForOutput("bilet://school/77-1234/ws/3", count: 2))
        await harness.stop()
        #expect(harness.logs.messages(containing: "reload failed").first?.metadata["error.code"] == "invalid-key-pair")
    }

    @Test func sighupReloads() async throws {
        signal(SIGHUP, SIG_IGN)  // a SIGHUP that arrives before the gateway traps it must not end the test run
        let harness = try await GatewayHarness.start(watchSIGHUP: true, pollInterval: .seconds(3600))
        let reloaded = await Self.waitUntil(timeout: .seconds(10)) {
            kill(getpid(), SIGHUP)
            try? await Task.sleep(for: .milliseconds(200))
            return harness.gateway.material.current.generation > 1
        }
        await harness.stop()
        #expect(reloaded)
        #expect(harness.logs.messages(containing: "tls material reloaded").first?.metadata["tls.reload.reason"] == "SIGHUP")
    }

    // MARK: Helpers

    static func serverSerial(_ harness: GatewayHarness<TestPKI>) async throws -> String {
        let result = try await ToolRunner.run(
            "openssl",
            ["s_client", "-connect", "127.0.0.1:\(harness.port("pupils"))", "-CAfile", harness.pki.caBundle, "-showcerts"],
            input: "")
        guard let pem = result.stdout.components(separatedBy: "-----BEGIN CERTIFICATE-----").dropFirst().first else { return "" }
        let certificate = "-----BEGIN CERTIFICATE-----" + pem.components(separatedBy: "-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
        let serial = try await ToolRunner.run("openssl", ["x509", "-noout", "-serial"], input: certificate)
        return serial.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func crlOfOtherCA(_ pki: TestPKI, into path: String) async throws {
        let template = pki.path("other-ca-crl.tmpl")
        try "crl_next_update = 7\ncrl_number = 9\n".write(toFile: template, atomically: true, encoding: .utf8)
        let result = try await ToolRunner.run("certtool", [
            "--generate-crl", "--load-ca-privkey", pki.path("other-ca.key"), "--load-ca-certificate", pki.path("other-ca.pem"),
            "--load-certificate", pki.certificate(.school), "--template", template, "--outfile", path, "--no-text",
        ])
        #expect(result.status == 0, "\(result.stderr)")
    }

    static func waitUntil(timeout: Duration = .seconds(5), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return false
    }
}
