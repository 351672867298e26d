import Foundation
import Gateway
import Hummingbird
import TLS
import TLSTestSupport
import Testing

/// Connection, time and size limits, and graceful shutdown.
@Suite(.serialized) struct LimitsTests {
    static func listener(_ limits: ListenerLimits, authentication: ClientAuthentication = .required) -> [TLSListenerConfiguration] {
        [TLSListenerConfiguration(name: "workstations", host: "127.0.0.1", port: 0, clientAuthentication: authentication, limits: limits)]
    }

    static func sClient(_ harness: GatewayHarness<TestPKI>, _ client: TestPKI.Client = .school, extra: [String] = ["-quiet"]) throws -> InteractiveTool {
        try InteractiveTool("openssl", [
            "s_client", "-connect", "127.0.0.1:\(harness.port("workstations"))", "-CAfile", harness.pki.caBundle,
            "-cert", harness.pki.certificate(client), "-key", harness.pki.key(client),
        ] + extra)
    }

    static let request = "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\n\r\n"

    /// The gateway's routes and `POST /upload`, which reads its whole body before answering (so a
    /// body the limits end is ended before any answer).
    static func uploadRouter() -> Router<BiletRequestContext> {
        let router = Gateway.makeRouter()
        router.post("/upload") { request, _ -> String in
            let body = try await request.body.collect(upTo: 1 << 20)
            return "\(body.readableBytes)"
        }
        return router
    }

    @Test func connectionsBeyondTheMaximumAreRefusedWithoutHarmingOthers() async throws {
        let harness = try await GatewayHarness.start(listeners: Self.listener(ListenerLimits(maximumConnections: 3)))
        var held: [InteractiveTool] = []
        for _ in 0..<3 {
            let tool = try Self.sClient(harness)
            tool.send(Self.request)
            #expect(await tool.waitForOutput("bilet://school/77-1234/ws/3"))
            held.append(tool)
        }
        let refused = try await RawTCPClient.send(RawTCPClient.partialClientHello, to: harness.port("workstations"), wait: .seconds(3))
        let refusedCurl = try await harness.curl("workstations", .school)
        for tool in held {
            tool.send(Self.request)
            #expect(await tool.waitForOutput("bilet://school/77-1234/ws/3", count: 2), "an existing connection was harmed")
        }
        await held[0].stop()
        var served = false
        for _ in 0..<50 where !served {  // the slot frees once the server saw the close
            served = split(try await harness.curl("workstations", .school)).status == "200"
        }
        for tool in held { await tool.stop() }
        await harness.stop()
        #expect(refused == .closedByServer(received: 0))
        #expect(split(refusedCurl).status != "200")
        #expect(served)
        #expect(!harness.logs.messages(containing: "connection limit").isEmpty)
    }

    @Test func oversizedHeadersAreRefused() async throws {
        let observer = RecordingRequestObserver()
        let harness = try await GatewayHarness.start(
            listeners: Self.listener(ListenerLimits(maximumHeaderBytes: 4096)), requestObserver: observer)
        // HTTP/1.1's parser; HTTP/2's refusals of the same head are in HTTP2Tests
        let big = try await harness.curl(
            "workstations", .school, extra: ["--http1.1", "-H", "X-Padding: " + String(repeating: "a", count: 8000)])
        let normal = try await harness.curl("workstations", .school)
        await harness.stop()
        #expect(split(big).status == "400", "\(big.stdout) \(big.stderr)")
        #expect(split(normal).status == "200")
        // The parser's refusal is counted before routing, with no method (none was read).
        #expect(observer.refusals == [.init(method: nil, status: 400)])
        #expect(observer.answered == [200])
        #expect(observer.unanswered.isEmpty)
    }

    @Test func oversizedBodiesAreRefusedWith413() async throws {
        let observer = RecordingRequestObserver()
        let harness = try await GatewayHarness.start(
            listeners: Self.listener(ListenerLimits(maximumBodyBytes: 1024)), router: Self.uploadRouter(), requestObserver: observer)
        let body = harness.workDirectory.appendingPathComponent("body.bin").path
        try Data(repeating: 0x61, count: 100_000).write(to: URL(fileURLWithPath: body))
        let big = try await harness.curl("workstations", .school, extra: ["--data-binary", "@\(body)", "-X", "POST"])
        let chunked = try await harness.curl(
            "workstations", .school, path: "/upload",
            extra: ["--data-binary", "@\(body)", "-X", "POST", "-H", "Transfer-Encoding: chunked", "-H", "Content-Type: application/json"])
        let normal = try await harness.curl("workstations", .school)
        await harness.stop()
        #expect(split(big).status == "413", "\(big.stdout) \(big.stderr)")
        #expect(split(chunked).status != "200")
        #expect(split(normal).status == "200")
        // The announced one refused with 413; the chunked one ended, counted, when it passed the limit.
        #expect(observer.refusals == [.init(method: .post, status: 413)])
        #expect(observer.unanswered == [.bodyTooLarge])
    }

    /// A malformed chunk after a valid head: the request is with the router already, so it is not
    /// counted as the parser's refusal before routing (the route counts what it answers, if anything).
    @Test func aMalformedBodyIsNotCountedAsARefusalBeforeRouting() async throws {
        let observer = RecordingRequestObserver()
        let harness = try await GatewayHarness.start(listeners: Self.listener(ListenerLimits()), requestObserver: observer)
        let client = try Self.sClient(harness)
        client.send("POST /v1/whoami HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nnot a chunk\r\n")
        #expect(await client.waitForExit(timeout: .seconds(5)), "the connection stayed open after a malformed chunk")
        await client.stop()
        // The parser's own refusal before routing is still counted once.
        let big = try await harness.curl("workstations", .school, extra: ["--http1.1", "-H", "X-Padding: " + String(repeating: "a", count: 20_000)])
        await harness.stop()
        #expect(split(big).status == "400")
        #expect(observer.refusals == [.init(method: nil, status: 400)], "\(observer.refusals)")
        #expect(observer.unanswered.isEmpty)
    }

    @Test func idleConnectionsAreClosed() async throws {
        let harness = try await GatewayHarness.start(listeners: Self.listener(ListenerLimits(idleTimeout: .milliseconds(800))))
        let idle = try Self.sClient(harness)
        defer { Task { await idle.stop() } }
        idle.send(Self.request)
        #expect(await idle.waitForOutput("bilet://school/77-1234/ws/3"))
        let start = ContinuousClock.now
        #expect(await idle.waitForExit(timeout: .seconds(5)))
        #expect(ContinuousClock.now - start < .seconds(3))
        await harness.stop()
    }

    @Test func slowLorisHeadersAreCutOff() async throws {
        let harness = try await GatewayHarness.start(listeners: Self.listener(ListenerLimits(idleTimeout: .seconds(1))))
        let slow = try Self.sClient(harness)
        defer { Task { await slow.stop() } }
        slow.send("GET /v1/whoami HTTP/1.1\r\n")
        let start = ContinuousClock.now
        var rounds = 0
        while slow.isRunning && rounds < 40 {  // one header line every 200 ms, never finishing
            slow.send("X-Slow-\(rounds): x\r\n")
            try await Task.sleep(for: .milliseconds(200))
            rounds += 1
        }
        #expect(!slow.isRunning, "the slow client was never cut off")
        #expect(ContinuousClock.now - start < .seconds(4))
        #expect(split(try await harness.curl("workstations", .school)).status == "200")
        await harness.stop()
    }

    @Test func slowBodiesAreCutOff() async throws {
        let observer = RecordingRequestObserver()
        let harness = try await GatewayHarness.start(
            listeners: Self.listener(ListenerLimits(idleTimeout: .seconds(30), requestTimeout: .seconds(1))), router: Self.uploadRouter(),
            requestObserver: observer)
        let slow = try Self.sClient(harness)
        defer { Task { await slow.stop() } }
        slow.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        let start = ContinuousClock.now
        var rounds = 0
        while slow.isRunning && rounds < 40 {
            slow.send("x")
            try await Task.sleep(for: .milliseconds(100))
            rounds += 1
        }
        #expect(!slow.isRunning, "the slow body was never cut off")
        #expect(ContinuousClock.now - start < .seconds(3))
        await harness.stop()
        #expect(observer.unanswered == [.bodyTimedOut], "answered: \(observer.answered), refused: \(observer.refusals)")
        #expect(observer.refusals.isEmpty)
    }

    @Test func gracefulShutdownFinishesRequestsInFlightAndSendsCloseNotify() async throws {
        let router = Gateway.makeRouter()
        router.get("/slow") { _, _ -> String in
            try await Task.sleep(for: .milliseconds(1500))
            return "finished"
        }
        let harness = try await GatewayHarness.start(listeners: Self.listener(ListenerLimits()), router: router)
        let idle = try Self.sClient(harness, extra: ["-msg", "-ign_eof"])
        defer { Task { await idle.stop() } }
        idle.send(Self.request)
        #expect(await idle.waitForOutput("bilet://school/77-1234/ws/3"))

        async let slow = harness.curl("workstations", .school, path: "/slow")
        try await Task.sleep(for: .milliseconds(400))
        let stopping = Task { await harness.stop() }
        // New connections are refused once the listener has stopped accepting, which under load
        // can take longer than a fixed pause: ask again (while /slow is still running) until refused.
        try await Task.sleep(for: .milliseconds(200))
        var refusedDuringShutdown = try await harness.curl("workstations", .school, timeout: 3)
        let askUntil = ContinuousClock.now + .milliseconds(800)
        while split(refusedDuringShutdown).status == "200" && ContinuousClock.now < askUntil {
            try await Task.sleep(for: .milliseconds(50))
            refusedDuringShutdown = try await harness.curl("workstations", .school, timeout: 3)
        }
        let inFlight = try await slow
        await stopping.value

        #expect(split(inFlight).status == "200", "\(inFlight.stdout) \(inFlight.stderr)")
        #expect(split(inFlight).body == "finished")
        #expect(split(refusedDuringShutdown).status != "200")
        #expect(await idle.waitForExit(timeout: .seconds(5)))
        #expect(idle.output.contains("close_notify"), "\(idle.output.suffix(600))")
    }
}
