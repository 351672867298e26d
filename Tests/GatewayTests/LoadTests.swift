import Foundation
import Gateway
import TLS
import TLSTestSupport
import Testing

/// Many handshakes at once, and reloads under load.
@Suite(.serialized) struct LoadTests {
    struct ABReport {
        let complete: Int
        let failed: Int
        let non2xx: Int
        let raw: String

        init(_ output: String) {
            func number(_ label: String) -> Int {
                output.split(separator: "\n").first { $0.hasPrefix(label) }
                    .flatMap { $0.split(separator: " ").last.flatMap { Int($0) } } ?? -1
            }
            self.complete = number("Complete requests:")
            self.failed = number("Failed requests:")
            let non2xx = number("Non-2xx responses:")
            self.non2xx = non2xx == -1 ? 0 : non2xx
            self.raw = output
        }
    }

    static func bundle(_ harness: GatewayHarness<TestPKI>, _ client: TestPKI.Client) throws -> String {
        let path = harness.workDirectory.appendingPathComponent("\(client.rawValue)-bundle.pem").path
        let text = try String(contentsOfFile: harness.pki.certificate(client), encoding: .utf8)
            + String(contentsOfFile: harness.pki.key(client), encoding: .utf8)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func ab(_ harness: GatewayHarness<TestPKI>, requests: Int, concurrency: Int, keepAlive: Bool) async throws -> ABReport {
        // -l: this ab counts every TLS response as a length failure otherwise (it does so against
        // any TLS server here); statuses are still checked through "Non-2xx responses".
        var arguments = ["-q", "-l", "-n", "\(requests)", "-c", "\(concurrency)", "-s", "30", "-E", try Self.bundle(harness, .school)]
        if keepAlive { arguments.append("-k") }
        arguments.append("https://127.0.0.1:\(harness.port("workstations"))/v1/whoami")
        let result = try await ToolRunner.run("ab", arguments, timeout: .seconds(120))
        return ABReport(result.stdout + result.stderr)
    }

    /// Every client here is 127.0.0.1, so the per-address cap is lifted to the listener's whole cap.
    static var workstations: [TLSListenerConfiguration] {
        [
            TLSListenerConfiguration(
                name: "workstations", host: "127.0.0.1", port: 0, clientAuthentication: .required,
                limits: ListenerLimits(maximumConnectionsPerAddress: ListenerLimits().maximumConnections))
        ]
    }

    @Test func aThousandConcurrentHandshakesAllComplete() async throws {
        let harness = try await GatewayHarness.start(listeners: Self.workstations)
        let report = try await Self.ab(harness, requests: 1000, concurrency: 1000, keepAlive: false)
        await harness.stop()
        #expect(report.complete == 1000, "\(report.raw)")
        #expect(report.failed == 0, "\(report.raw)")
        #expect(report.non2xx == 0)
        #expect(harness.logs.messages(containing: "refused").isEmpty)
        #expect(harness.logs.messages(containing: "handshake").filter { $0.level > .debug }.isEmpty)
    }

    @Test func reloadsDuringLoadFailNoRequest() async throws {
        let harness = try await GatewayHarness.start(listeners: Self.workstations, pollInterval: .milliseconds(50))
        let name = "server-load-\(UUID().uuidString.prefix(8))"
        try await harness.pki.issue(name, by: "ca", template: [
            "cn = \"localhost\"", "dns_name = \"localhost\"", "ip_address = \"127.0.0.1\"", "tls_www_server", "signing_key",
            "expiration_days = 30",
        ])
        async let full = Self.ab(harness, requests: 1500, concurrency: 16, keepAlive: false)
        async let keepAlive = Self.ab(harness, requests: 20000, concurrency: 16, keepAlive: true)
        var reloads = 0
        for round in 0..<8 {
            try await Task.sleep(for: .milliseconds(150))
            switch round % 3 {
            case 0: try harness.replaceMaterial("crl.pem", withContentsOf: harness.pki.path("crl-revoking-venue.pem"))
            case 1: harness.gateway.material.reload(reason: "test")
            default:
                // certificate and key replaced one after the other, as an operator would
                let useNew = round % 2 == 0
                try harness.replaceMaterial("server.key", withContentsOf: harness.pki.path(useNew ? "\(name).key" : "server.key"))
                try harness.replaceMaterial("server.pem", withContentsOf: harness.pki.path(useNew ? "\(name).pem" : "server.pem"))
            }
            reloads += 1
        }
        let (fullReport, keepAliveReport) = try await (full, keepAlive)
        let generation = harness.gateway.material.current.generation
        await harness.stop()
        #expect(fullReport.complete == 1500, "\(fullReport.raw)")
        #expect(fullReport.failed == 0)
        #expect(fullReport.non2xx == 0)
        #expect(keepAliveReport.complete == 20000, "\(keepAliveReport.raw)")
        #expect(keepAliveReport.failed == 0)
        #expect(keepAliveReport.non2xx == 0)
        #expect(generation >= 4, "only \(generation) generations during the load")
    }
}
