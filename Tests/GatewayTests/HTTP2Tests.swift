import Foundation
import Gateway
import TLS
import TLSTestSupport
import Testing

/// HTTP/2 on every listener (ALPN `h2`), under the same handlers as HTTP/1.1, with its limits:
/// concurrent streams, header list size, the rapid-reset pattern (CVE-2023-44487), the SETTINGS
/// acknowledgement, idle connections, stalled streams, and graceful shutdown. The misbehaving
/// client is `Tests/Tools/h2probe.py`, raw frames over Python's ssl. Limits are set to values
/// other than SwiftNIO's defaults, so a test fails when the listener's limit is not the one applied.
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

    /// Runs the probe against the workstations' listener with the school's certificate;
    /// `options`: `--ack-first`, `--no-ack`, `--wait SECONDS`.
    static func probe(_ harness: GatewayHarness<TestPKI>, _ mode: String, _ count: Int, _ options: [String] = []) async throws
        -> ProbeReport
    {
        let result = try await ToolRunner.run(
            "python3",
            [Self.probe, mode, "\(count)", "--port", "\(harness.port("workstations"))", "--ca", harness.pki.caBundle,
             "--cert", harness.pki.certificate(.school), "--key", harness.pki.key(.school)] + options,
            timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(ProbeReport.self, from: Data(result.stdout.utf8))
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
        let answer = try await harness.curlAnswer("workstations", .school, version: "--http2")
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
                let one = try await harness.curlAnswer(item.listener, item.client, version: "--http1.1", path: item.path, method: item.method)
                let two = try await harness.curlAnswer(item.listener, item.client, version: "--http2", path: item.path, method: item.method)
                #expect(one.version == "1.1" && two.version == "2", "\(item): \(one.version) \(two.version)")
                #expect(one.status == two.status && one.body == two.body, "\(item): \(one) \(two)")
            }
            let whoami = try await harness.curlAnswer("workstations", .school, version: "--http2")
            #expect(whoami.status == "200" && whoami.body.contains("bilet://school/"), "\(whoami)")
        }
    }

    @Test("the server's SETTINGS announce the listener's limits: 7 concurrent streams and an 8 KiB header list")
    func settingsAnnounceTheLimits() async throws {
        try await Self.withHarness(limits: ListenerLimits(maximumHeaderBytes: 8192, maximumConcurrentStreams: 7)) { harness in
            let report = try await Self.probe(harness, "streams", 1, ["--ack-first"])
            #expect(report.alpn == "h2")
            #expect(report.settings["3"] == 7, "SETTINGS_MAX_CONCURRENT_STREAMS: \(report.settings)")
            #expect(report.settings["6"] == 8192, "SETTINGS_MAX_HEADER_LIST_SIZE: \(report.settings)")
        }
    }

    @Test("7 open streams are served; a client that opens an 8th past the SETTINGS loses its connection, others do not")
    func streamsBeyondTheLimitEndTheConnection() async throws {
        try await Self.withHarness(limits: ListenerLimits(maximumConcurrentStreams: 7)) { harness in
            let within = try await Self.probe(harness, "streams", 7, ["--ack-first"])
            #expect(within.answered.count == 7 && within.goaway == nil && within.reset.isEmpty && !within.closed, "\(within)")
            let beyond = try await Self.probe(harness, "streams", 8, ["--ack-first"])
            #expect(beyond.goaway == 1, "GOAWAY PROTOCOL_ERROR expected: \(beyond)")  // SwiftNIO: MaxStreamsViolation
            #expect(beyond.closed)
            try await Self.othersAreServed(harness)
        }
    }

    @Test("rapid reset (CVE-2023-44487): 150 resets, over the listener's 100 and under SwiftNIO's 200, end the connection with ENHANCE_YOUR_CALM")
    func rapidResetEndsTheConnection() async throws {
        try await Self.withHarness { harness in
            let report = try await Self.probe(harness, "rapid-reset", 150)
            #expect(report.goaway == 11, "GOAWAY ENHANCE_YOUR_CALM expected: \(report)")
            #expect(report.closed)
            try await Self.othersAreServed(harness)
        }
    }

    @Test("a header list over the announced 16 KiB ends that connection (GOAWAY) and is never answered; others are served")
    func oversizedHeaderListIsRefused() async throws {
        try await Self.withHarness { harness in
            let small = try await Self.probe(harness, "big-headers", 8 * 1024, ["--ack-first"])
            #expect(small.status == ["1": 200] && small.goaway == nil, "a header list under the limit is served: \(small)")
            let report = try await Self.probe(harness, "big-headers", 20 * 1024, ["--ack-first"])
            #expect(report.answered == [], "\(report)")
            #expect(report.goaway != nil && report.closed, "\(report)")
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
            let curl = try await harness.curlAnswer("workstations", .school, version: "--http2")
            #expect(curl.status == "200")
        }
    }

    @Test("a request with more than 100 header fields is answered 400 malformed-request, as over HTTP/1.1; the connection stays")
    func tooManyHeaderFieldsAreRefused() async throws {
        try await Self.withHarness { harness in
            let most = try await Self.probe(harness, "many-headers", 100, ["--ack-first"])
            #expect(most.status == ["1": 200], "100 fields are served: \(most)")
            let more = try await Self.probe(harness, "many-headers", 101, ["--ack-first"])
            #expect(more.status == ["1": 400], "\(more)")
            #expect(more.goaway == nil && !more.closed, "the connection stays: \(more)")
            let curl = try await harness.curlAnswer("workstations", .school, version: "--http2")
            #expect(curl.status == "200")
        }
    }

    @Test("a connection without a stream is closed after the idle timeout (GOAWAY NO_ERROR)")
    func idleConnectionIsClosed() async throws {
        try await Self.withHarness(limits: ListenerLimits(idleTimeout: .seconds(1))) { harness in
            let report = try await Self.probe(harness, "idle", 0, ["--ack-first", "--wait", "5"])
            #expect(report.goaway == 0 && report.closed, "\(report)")
        }
    }

    @Test("a client that never acknowledges the SETTINGS is closed after the handshake timeout")
    func settingsNeverAcknowledgedIsClosed() async throws {
        // 3 s: the TLS handshake itself must fit in it on a loaded machine
        try await Self.withHarness(limits: ListenerLimits(handshakeTimeout: .seconds(3))) { harness in
            let report = try await Self.probe(harness, "idle", 0, ["--no-ack", "--wait", "8"])
            #expect(report.closed, "\(report)")
        }
    }

    @Test("a request whose body never comes (no Content-Length, no END_STREAM) ends its stream after the request timeout; the connection stays")
    func stalledBodyEndsItsStream() async throws {
        try await Self.withHarness(limits: ListenerLimits(requestTimeout: .seconds(1))) { harness in
            let report = try await Self.probe(harness, "stall-body", 3, ["--ack-first", "--wait", "4"])
            #expect(Set(report.reset.keys) == ["1", "3", "5"], "\(report)")
            #expect(report.goaway == nil && !report.closed, "\(report)")
        }
    }

    @Test("a stream error (a body longer than its Content-Length) resets that stream only; the other streams are answered")
    func streamErrorLeavesSiblingsAlone() async throws {
        try await Self.withHarness { harness in
            let report = try await Self.probe(harness, "lie", 3, ["--ack-first"])
            #expect(report.reset["1"] == 1, "RST_STREAM PROTOCOL_ERROR on stream 1: \(report)")
            #expect(report.status["3"] == 200 && report.status["5"] == 200 && report.status["7"] == 200, "\(report)")
            #expect(report.goaway == nil && !report.closed, "\(report)")
        }
    }

    @Test("a graceful shutdown sends GOAWAY NO_ERROR to an open HTTP/2 connection and closes it")
    func gracefulShutdownSendsGoAway() async throws {
        let harness = try await GatewayHarness.start()
        async let report = Self.probe(harness, "idle", 0, ["--ack-first", "--wait", "8"])
        // the probe's connection is up (a loaded machine may take seconds to start Python), then
        // its SETTINGS exchange has time to finish
        let deadline = ContinuousClock.now + .seconds(20)
        while harness.registry.authenticatedConnectionCount == 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(500))
        await harness.stop()
        let seen = try await report
        #expect(seen.goaway == 0 && seen.closed, "\(seen)")
    }

    @Test("ALPN: h2 is chosen when offered, http/1.1 when only it is, and a client offering neither is refused")
    func alpnChoices() async throws {
        try await Self.withHarness { harness in
            func offer(_ protocols: String) async throws -> String {
                let result = try await ToolRunner.run(
                    "openssl",
                    ["s_client", "-connect", "127.0.0.1:\(harness.port("pupils"))", "-alpn", protocols, "-CAfile", harness.pki.caBundle],
                    input: "", timeout: .seconds(15))
                return result.stdout + result.stderr
            }
            #expect(try await offer("h2,http/1.1").contains("ALPN protocol: h2"))
            #expect(try await offer("http/1.1").contains("ALPN protocol: http/1.1"))
            let refused = try await offer("spdy/3")
            #expect(refused.contains("no application protocol"), "\(refused)")
        }
    }
}
