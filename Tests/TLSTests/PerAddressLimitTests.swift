import Foundation
import Logging
import TLS
import TLSTestSupport
import Testing

/// Review finding L10: one client address cannot take a whole listener, and refused connections
/// cannot flood the log.
@Suite(.serialized) struct PerAddressLimitTests {
    static let request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"

    static func sClient(_ fixture: TLSFixture) throws -> InteractiveTool {
        try InteractiveTool("openssl", [
            "s_client", "-quiet", "-connect", "127.0.0.1:\(fixture.server.port)", "-CAfile", fixture.pki.caBundle,
            "-cert", fixture.pki.certificate(.school), "-key", fixture.pki.key(.school),
        ])
    }

    @Test func theDefaultCapsEachAddress() {
        #expect(ListenerLimits().maximumConnectionsPerAddress == 256)
    }

    @Test func connectionsBeyondTheAddressCapAreClosedWhileTheAddressesOthersKeepWorking() async throws {
        let fixture = try await TLSFixture.start(limits: ListenerLimits(maximumConnectionsPerAddress: 3))
        var held: [InteractiveTool] = []
        for _ in 0..<3 {
            let tool = try Self.sClient(fixture)
            tool.send(Self.request)
            #expect(await tool.waitForOutput("bilet://school/77-1234/ws/3"))
            held.append(tool)
        }
        #expect(fixture.listener.openConnectionCount(from: "127.0.0.1") == 3)
        // The fourth and fifth connections from 127.0.0.1 are closed before any TLS byte is sent.
        let refused = try await RawTCPClient.send(RawTCPClient.partialClientHello, to: fixture.server.port, wait: .seconds(3))
        let refusedCurl = try await fixture.curl(.school)
        #expect(refused == .closedByServer(received: 0))
        #expect(refusedCurl.status != 0)
        #expect(!refusedCurl.stdout.contains("bilet://"))
        #expect(fixture.listener.refusedForAddressCount == 2)
        // The connections already open are not harmed.
        for tool in held {
            tool.send(Self.request)
            #expect(await tool.waitForOutput("bilet://school/77-1234/ws/3", count: 2), "an existing connection was harmed")
        }
        // Closing one frees its slot.
        await held[0].stop()
        var served = false
        for _ in 0..<50 where !served {
            served = (try await fixture.curl(.school)).stdout.contains("bilet://school/77-1234/ws/3")
            if !served { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(served)
        for tool in held.dropFirst() { await tool.stop() }
        await fixture.stop()
        let lines = fixture.logs.messages(containing: "client address at its connection limit")
        #expect(lines.first?.metadata["tls.refusal"] == "address-connection-limit")
        #expect(lines.allSatisfy { $0.metadata["tls.limit"] == "3" })
    }

    @Test func refusedHandshakesOnARequiredListenerAreLoggedAtMostOncePerSecondWithTheCountDropped() async throws {
        let fixture = try await TLSFixture.start()
        let burst = 8
        let started = ContinuousClock.now
        for _ in 0..<burst {
            let result = try await fixture.curl(nil)
            #expect(result.status != 0)
        }
        let elapsed = ContinuousClock.now - started
        _ = await fixture.server.waitForOutcomes(burst)
        let during = fixture.logs.messages(containing: "tls client certificate refused")
        // One line per started second at most, instead of one per connection.
        let seconds = Int((elapsed / .seconds(1)).rounded(.up))
        #expect(during.count <= seconds + 1)
        #expect(during.count < burst)
        #expect(during.allSatisfy { $0.metadata["tls.refusal"] == "no-certificate" })
        // After the interval, the next refusal is written with the number dropped before it.
        try await Task.sleep(for: .milliseconds(1_100))
        _ = try await fixture.curl(nil)
        _ = await fixture.server.waitForOutcomes(burst + 1)
        await fixture.stop()
        let all = fixture.logs.messages(containing: "tls client certificate refused")
        #expect(all.count == during.count + 1)
        let dropped = all.compactMap { $0.metadata["tls.suppressed"].flatMap { Int($0) } }.reduce(0, +)
        #expect(dropped + all.count == burst + 1)
    }

    @Test func theLimiterWritesOneLinePerKindAndIntervalAndCountsTheRest() async throws {
        let store = RecordingLogHandler.Store()
        let logger = Logger(label: "limiter") { _ in
            RefusalLogLimiter(wrapping: RecordingLogHandler(store: store), interval: .milliseconds(300))
        }
        for _ in 0..<10 { logger.notice("tls client certificate refused", metadata: ["tls.refusal": "no-certificate"]) }
        logger.notice("tls client certificate refused", metadata: ["tls.refusal": "expired"])
        logger.notice("tls handshake failed")
        logger.notice("tls handshake failed")
        #expect(store.all.map(\.message) == [
            "tls client certificate refused", "tls client certificate refused", "tls handshake failed", "tls handshake failed",
        ])
        try await Task.sleep(for: .milliseconds(350))
        logger.notice("tls client certificate refused", metadata: ["tls.refusal": "no-certificate"])
        #expect(store.all.count == 5)
        #expect(store.all.last?.metadata["tls.suppressed"] == "9")
        #expect(store.all.first?.metadata["tls.suppressed"] == nil)
    }
}
