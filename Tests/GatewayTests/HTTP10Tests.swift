import Foundation
import Gateway
import TLS
import TLSTestSupport
import Testing

/// Connections that end after one response end with close_notify, so clients see a clean end and
/// keep their sessions resumable.
@Suite(.serialized) struct ConnectionEndTests {
    @Test func http10RequestsWithoutKeepAliveAreAnsweredAndClosed() async throws {
        let harness = try await GatewayHarness.start()
        let result = try await harness.curl("workstations", .school, extra: ["--http1.0", "--no-alpn"], timeout: 5)
        await harness.stop()
        #expect(split(result).status == "200", "\(result.stdout) \(result.stderr)")
    }

    @Test(arguments: [
        ("-tls1_2", "GET /healthz HTTP/1.0\r\n\r\n"),
        ("-tls1_3", "GET /healthz HTTP/1.0\r\n\r\n"),
        ("-tls1_3", "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    ])
    func aResponseThatEndsTheConnectionIsFollowedByCloseNotify(version: String, request: String) async throws {
        let harness = try await GatewayHarness.start()
        let result = try await ToolRunner.run(
            "openssl",
            ["s_client", "-connect", "127.0.0.1:\(harness.port("workstations"))", version, "-msg", "-ign_eof",
             "-CAfile", harness.pki.caBundle, "-cert", harness.pki.certificate(.school), "-key", harness.pki.key(.school)],
            input: request)
        await harness.stop()
        let afterBody = result.stdout.components(separatedBy: #"{"status":"ok"}"#).last ?? ""
        #expect(afterBody.contains("<<< TLS 1.3, Alert [length 0002], warning close_notify") || afterBody.contains("<<< TLS 1.2, Alert [length 0002], warning close_notify"), "\(afterBody)")
        #expect(!result.stderr.contains("unexpected eof"), "\(result.stderr)")
    }

    @Test func sTimeResumesSessionsAcrossHTTP10Requests() async throws {
        let harness = try await GatewayHarness.start()
        let result = try await ToolRunner.run(
            "openssl",
            ["s_time", "-connect", "127.0.0.1:\(harness.port("workstations"))", "-reuse", "-tls1_3", "-www", "/healthz", "-time", "1",
             "-cert", harness.pki.certificate(.school), "-key", harness.pki.key(.school)])
        await harness.stop()
        let marks = result.stdout.split(separator: "\n").filter { $0.allSatisfy { "r*".contains($0) } && !$0.isEmpty }.joined()
        #expect(marks.count >= 2, "\(result.stdout)")
        #expect(marks.allSatisfy { $0 == "r" }, "some connections were not resumed: \(marks.prefix(80))")
    }
}
