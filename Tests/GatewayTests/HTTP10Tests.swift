import Foundation
import Gateway
import TLS
import TLSTestSupport
import Testing

@Suite(.serialized) struct HTTP10Tests {
    @Test func http10RequestsWithoutKeepAliveAreAnsweredAndClosed() async throws {
        let harness = try await GatewayHarness.start()
        let result = try await harness.curl("workstations", .school, extra: ["--http1.0", "--no-alpn"], timeout: 5)
        await harness.stop()
        #expect(split(result).status == "200", "\(result.stdout) \(result.stderr)")
    }
}
