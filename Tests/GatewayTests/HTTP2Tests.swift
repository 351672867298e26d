import Foundation
import Gateway
import TLS
import TLSTestSupport
import Testing

/// HTTP/2 on every listener (ALPN `h2`), under the same handlers as HTTP/1.1, with its limits:
/// concurrent streams, header list size and the rapid-reset pattern (CVE-2023-44487). The
/// misbehaving client is `Tests/Tools/h2probe.py`, raw frames over Python's ssl.
@Suite(.serialized) struct HTTP2Tests {
    static let probe = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/h2probe.py").path

    /// What the probe saw: the ALPN protocol, GOAWAY's error code, RST_STREAM codes by stream,
    /// the streams answered, the server's SETTINGS, and whether the connection was closed.
    struct ProbeReport: Decodable {
        let alpn: String?
        let goaway: Int?
        let reset: [String: Int]
        let answered: [Int]
        let closed: Bool
        let settings: [String: Int]
        let status: [String: Int?]
    }

    static func probe(_ harness: GatewayHarness<TestPKI>, _ mode: String, _ count: Int) async throws -> ProbeReport {
        let result = try await ToolRunner.run(
            "python3",
            [Self.probe, mode, "\(count)", "--port", "\(harness.port("workstations"))", "--ca", harness.pki.caBundle,
             "--cert", harness.pki.certificate(.school), "--key", harness.pki.key(.school)],
            timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(ProbeReport.self, from: Data(result.stdout.utf8))
    }

    /// curl with `version` (`--http1.1` or `--http2`): the HTTP version used, the status and the body.
    static func curl(
        _ harness: GatewayHarness<TestPKI>, _ listener: String, _ client: TestPKI.Client?, _ version: String,
        path: String = "/v1/whoami", method: String = "GET"
    ) async throws -> (version: String, status: String, body: String) {
        let result = try await harness.curl(
            listener, client, path: path, extra: [version, "-X", method, "-w", "\n%{http_version} %{http_code}"])
        var lines = result.stdout.components(separatedBy: "\n")
        let last = (lines.popLast() ?? "").split(separator: " ").map(String.init)
        return (last.first ?? "", last.last ?? "", lines.joined(separator: "\n"))
    }

    /// Runs `body` with a gateway on the test PKI, and stops it however `body` ends.
    static func withHarness(
        limits: ListenerLimits = ListenerLimits(), _ body: (GatewayHarness<TestPKI>) async throws -> Void
    ) async throws {
        let harness = try await GatewayHarness.start(listeners: [
            TLSListenerConfiguration(
                name: "workstations", host: "127.0.0.1", port: 0, clientAuthentication: .required, profile: .gost, limits: limits),
            TLSListenerConfiguration(name: "pupils", host: "127.0.0.1", port: 0, clientAuthentication: .none, limits: limits),
        ])
        do {
            try await body(harness)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    /// A request over HTTP/2 on another connection still gets its answer.
    static func othersAreServed(_ harness: GatewayHarness<TestPKI>) async throws {
        let answer = try await Self.curl(harness, "workstations", .school, "--http2")
        #expect(answer.version == "2" && answer.status == "200", "\(answer)")
    }

    @Test("curl --http2 with a client certificate negotiates h2 and gets the same answers as HTTP/1.1, on both listeners")
    func curlNegotiatesHTTP2() async throws {
        try await Self.withHarness { harness in
            let cases: [(listener: String, client: TestPKI.Client?, path: String, method: String)] = [
                ("workstations", .school, "/v1/whoami", "GET"),
                ("workstations", .school, "/healthz", "GET"),
                ("workstations", .school, "/v1/no-such-route", "GET"),
                ("workstations", .school, "/v1/whoami", "DELETE"),
                ("pupils", nil, "/healthz", "GET"),
                ("pupils", nil, "/v1/whoami", "GET"),
            ]
            for item in cases {
                let one = try await Self.curl(harness, item.listener, item.client, "--http1.1", path: item.path, method: item.method)
                let two = try await Self.curl(harness, item.listener, item.client, "--http2", path: item.path, method: item.method)
                #expect(one.version == "1.1" && two.version == "2", "\(item): \(one.version) \(two.version)")
                #expect(one.status == two.status && one.body == two.body, "\(item): \(one) \(two)")
            }
            let whoami = try await Self.curl(harness, "workstations", .school, "--http2")
            #expect(whoami.status == "200" && whoami.body.contains("bilet://school/"), "\(whoami)")
        }
    }

    @Test("the server's SETTINGS announce at most 100 concurrent streams and a 16 KiB header list")
    func settingsAnnounceTheLimits() async throws {
        try await Self.withHarness { harness in
            let report = try await Self.probe(harness, "streams", 1)
            #expect(report.alpn == "h2")
            #expect(report.settings["3"] == 100, "SETTINGS_MAX_CONCURRENT_STREAMS: \(report.settings)")
            #expect(report.settings["6"] == 16 * 1024, "SETTINGS_MAX_HEADER_LIST_SIZE: \(report.settings)")
        }
    }

    @Test("100 open streams are served; a client that opens a 101st past the SETTINGS loses its connection, others do not")
    func streamsBeyondTheLimitEndTheConnection() async throws {
        try await Self.withHarness { harness in
            let within = try await Self.probe(harness, "streams", 100)
            #expect(within.answered.count == 100 && within.goaway == nil && within.reset.isEmpty, "\(within)")
            let beyond = try await Self.probe(harness, "streams", 101)
            #expect(beyond.goaway == 1, "GOAWAY PROTOCOL_ERROR expected: \(beyond)")  // SwiftNIO: MaxStreamsViolation
            #expect(beyond.closed)
            try await Self.othersAreServed(harness)
        }
    }

    @Test("rapid reset (CVE-2023-44487): the connection is ended with GOAWAY ENHANCE_YOUR_CALM, others are served")
    func rapidResetEndsTheConnection() async throws {
        try await Self.withHarness { harness in
            let report = try await Self.probe(harness, "rapid-reset", 1000)
            #expect(report.goaway == 11, "GOAWAY ENHANCE_YOUR_CALM expected: \(report.goaway.map(String.init) ?? "none")")
            #expect(report.closed)
            try await Self.othersAreServed(harness)
        }
    }

    @Test("a header list over 16 KiB is refused without an answer, and other connections are served")
    func oversizedHeaderListIsRefused() async throws {
        try await Self.withHarness { harness in
            let small = try await Self.probe(harness, "big-headers", 8 * 1024)
            #expect(small.answered == [1] && small.goaway == nil, "a header list under the limit is served: \(small)")
            let report = try await Self.probe(harness, "big-headers", 40 * 1024)
            #expect(report.answered == [], "\(report)")
            #expect(report.goaway != nil || report.reset["1"] != nil, "\(report)")
            try await Self.othersAreServed(harness)
        }
    }

    @Test("a head over the listener's limit, sent before the client acknowledged the SETTINGS, is answered 400 malformed-request")
    func oversizedHeadBeforeTheSettingsAckIsRefused() async throws {
        try await Self.withHarness(limits: ListenerLimits(maximumHeaderBytes: 4096)) { harness in
            let small = try await Self.probe(harness, "big-headers", 3000)
            #expect(small.status == ["1": 200], "\(small)")
            // the probe sends its request right after the preface, before it reads the server's SETTINGS
            let big = try await Self.probe(harness, "big-headers", 8000)
            #expect(big.status == ["1": 400], "\(big)")
            #expect(big.goaway == nil, "the connection stays: \(big)")
            let curl = try await Self.curl(harness, "workstations", .school, "--http2")
            #expect(curl.status == "200")
        }
    }
}
