import Foundation
import Gateway
import TLS
import TLSTestSupport
import Testing

@Suite(.serialized) struct WhoAmITests {
    static let gostOnly = "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:-MAC-ALL:-KX-ALL:+GOST-ALL"

    @Test(arguments: [
        (TestPKI.Client.school, "bilet://school/77-1234/ws/3", #""device":{"kind":"ws","number":3}"#),
        (.service, "bilet://service/assessment", #""service":"assessment""#),
        (.venue, "bilet://venue/77-0042/ws/1", #""organisation":{"id":"77-0042","kind":"venue"}"#),
    ])
    func validClientGetsItsPrincipal(client: TestPKI.Client, principal: String, detail: String) async throws {
        let harness = try await GatewayHarness.start()
        let result = try await harness.curl("workstations", client)
        await harness.stop()
        let (body, status) = split(result)
        #expect(status == "200", "\(result.stderr)")
        let whoami = try JSONDecoder().decode(WhoAmI.self, from: Data(body.utf8))
        #expect(whoami.principal == principal)
        #expect(whoami.listener == "workstations")
        #expect(whoami.tls.protocol == "TLS1.3")
        #expect(body.contains(detail), "\(body)")
    }

    @Test func gostClientNegotiatesTheGOSTSuite() async throws {
        let harness = try await GatewayHarness.start()
        let result = try await harness.gnutlsCLI("workstations", .gost, priority: Self.gostOnly)
        await harness.stop()
        #expect(result.stdout.contains("HTTP/1.1 200 OK"), "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains(#""principal":"bilet://school/77-1234/ws/4""#))
        #expect(result.stdout.contains(#""cipherSuite":"TLS_GOSTR341112_256_WITH_28147_CNT_IMIT""#), "\(result.stdout)")
        // and the client agrees
        #expect(result.stdout.contains("(TLS1.2-X.509)-(VKO-GOST-12)-(GOST28147-TC26Z-CNT)-(GOST28147-TC26Z-IMIT)"))
    }

    @Test func hardenedListenerRefusesTheGOSTSuite() async throws {
        let harness = try await GatewayHarness.start(listeners: [
            TLSListenerConfiguration(name: "workstations", host: "127.0.0.1", port: 0, clientAuthentication: .required, profile: .hardened)
        ])
        let result = try await harness.gnutlsCLI("workstations", .gost, priority: Self.gostOnly)
        await harness.stop()
        #expect(!result.stdout.contains("200 OK"))
        #expect(result.stderr.contains("Handshake failed") || result.stdout.contains("Handshake failed"), "\(result.stdout)\n\(result.stderr)")
    }

    @Test func pupilsListenerServesWithoutACertificateAndHasNoPrincipal() async throws {
        let harness = try await GatewayHarness.start()
        let health = try await harness.curl("pupils", nil, path: "/healthz")
        let whoami = try await harness.curl("pupils", nil)
        await harness.stop()
        #expect(split(health).status == "200")
        #expect(split(health).body == #"{"status":"ok"}"#)
        #expect(split(whoami).status == "401")
        #expect(split(whoami).body.contains(#""code":"no-client-certificate""#))
    }

    @Test func workstationListenerRefusesAClientWithoutCertificate() async throws {
        let harness = try await GatewayHarness.start()
        let result = try await harness.curl("workstations", nil, path: "/healthz")
        await harness.stop()
        #expect(result.status != 0)
        #expect(split(result).status != "200")
        let refusals = harness.logs.messages(containing: "client certificate refused")
        #expect(refusals.map { $0.metadata["tls.refusal"] } == ["no-certificate"])
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        let harness = try await GatewayHarness.start()
        let url = "https://127.0.0.1:\(harness.port("workstations"))/v1/whoami"
        let result = try await ToolRunner.run(
            "curl",
            ["-sS", "--cacert", harness.pki.caBundle, "--cert", harness.pki.certificate(.school), "--key", harness.pki.key(.school),
             "-w", "%{http_code} %{num_connects}\\n", "-o", "/dev/null", url, "-o", "/dev/null", url, "-o", "/dev/null", url])
        await harness.stop()
        #expect(result.stdout == "200 1\n200 0\n200 0\n", "\(result.stdout) \(result.stderr)")
    }
}
