import CertificateAuthority
import Foundation
import GnuTLS
import TLSTestSupport
import Testing

/// Issue 12, finding L3: a keep-alive connection ends when its client certificate expires.
@Suite(.serialized) struct CertificateExpiryTests {
    static let request = "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\n\r\n"

    @Test func aKeepAliveConnectionIsClosedWhenItsCertificateExpires() async throws {
        let harness = try await CAGatewayHarness.start(subscriber: false)
        let now = Int(Date().timeIntervalSince1970)
        // a one-day certificate issued (by the CA's clock) one day minus 6 seconds ago: 6 seconds left
        let short = try await harness.fixture.enrol(
            RenewalTests.identity, name: "short", authority: harness.fixture.authority(clock: { now - 86_400 + 6 }, validityDays: 1))
        let long = try await harness.fixture.enrol("bilet://service/assessment", name: "long")
        #expect(short.certificate.notAfter - now <= 6)
        let doomed = try harness.keepAliveClient("short")
        let bystander = try harness.keepAliveClient("long")
        defer {
            Task {
                await doomed.stop()
                await bystander.stop()
            }
        }
        doomed.send(Self.request)
        bystander.send(Self.request)
        #expect(await doomed.waitForOutput(RenewalTests.identity))
        #expect(await bystander.waitForOutput("bilet://service/assessment"))
        #expect(doomed.isRunning, "the connection is open while the certificate is valid")

        let closed = await doomed.waitForExit(timeout: .seconds(15))
        let closedAt = Int(Date().timeIntervalSince1970)
        bystander.send(Self.request)
        let stillServed = await bystander.waitForOutput("bilet://service/assessment", count: 2)
        let refusedNow = try await harness.curl("short")
        await harness.stop()
        #expect(closed, "the connection outlived its certificate")
        #expect(closedAt >= short.certificate.notAfter, "closed before the certificate expired")
        #expect(stillServed, "other connections are untouched")
        #expect(refusedNow.status != "200")
        let logged = harness.logs.messages(containing: "client certificate expired")
        #expect(logged.count == 1)
        #expect(logged.first?.metadata["tls.refusal"] == "expired")
        _ = long
    }
}
