import Foundation
import GnuTLS
import Identity
import TLS
import TLSTestSupport
import Testing

@Suite(.serialized) struct HandshakeTests {
    @Test func curlWithAValidECDSAClientGetsItsPrincipal() async throws {
        let fixture = try await TLSFixture.start()
        defer { Task { await fixture.stop() } }
        let result = try await fixture.curl(.school)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.last == "200")
        #expect(lines.first?.hasPrefix("bilet://school/77-1234/ws/3 TLS1.3 ") == true, "\(result.stdout)")
        let outcomes = await fixture.server.waitForOutcomes(1)
        let peer = try #require(try outcomes.first?.get())
        #expect(peer.principal == (try IdentityURI.parse("bilet://school/77-1234/ws/3")))
        #expect(peer.tls.applicationProtocol == "http/1.1")
    }

    @Test func gnutlsCLIWithAValidClient() async throws {
        let fixture = try await TLSFixture.start()
        defer { Task { await fixture.stop() } }
        let result = try await fixture.gnutlsCLI(.service)
        #expect(result.stdout.contains("bilet://service/assessment TLS1.3"), "\(result.stdout)\n\(result.stderr)")
    }
}
