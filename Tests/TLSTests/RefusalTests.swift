import Foundation
import GnuTLS
import Identity
import TLS
import TLSTestSupport
import Testing

/// Every kind of bad client certificate is refused at the handshake, with its own reason, by a
/// real OpenSSL client (curl) and a real GnuTLS client (gnutls-cli).
@Suite(.serialized) struct RefusalTests {
    static let certificateCases: [(TestPKI.Client?, ClientCertificateRefusal)] = [
        (nil, .noCertificate),
        (.expired, .expired),
        (.notYetValid, .notYetValid),
        (.otherCA, .unknownIssuer),
        (.selfSigned, .unknownIssuer),
        (.revoked, .revoked),
        (.serverUsageOnly, .wrongUsage),
        (.noExtendedKeyUsage, .wrongUsage),
        (.noIdentity, .noIdentity),
        (.twoIdentities, .noIdentity),
    ]

    @Test(arguments: certificateCases)
    func curlIsRefused(client: TestPKI.Client?, reason: ClientCertificateRefusal) async throws {
        let fixture = try await TLSFixture.start()
        defer { Task { await fixture.stop() } }
        let result = try await fixture.curl(client)
        #expect(result.status != 0, "curl succeeded: \(result.stdout)")
        #expect(!result.stdout.contains("bilet://"))
        let outcomes = await fixture.server.waitForOutcomes(1)
        #expect(outcomes.count == 1)
        #expect(outcomes.first.map(Self.failure) == .refused(reason))

        // Logged once, with its reason and nothing else about the client.
        let refusals = fixture.logs.messages(containing: "refused")
        #expect(refusals.count == 1)
        #expect(refusals.first?.metadata == ["tls.refusal": reason.code, "tls.listener": "test"])
    }

    @Test(arguments: [TestPKI.Client.expired, .otherCA, .revoked, .serverUsageOnly, .noIdentity])
    func gnutlsCLIIsRefused(client: TestPKI.Client) async throws {
        let fixture = try await TLSFixture.start()
        defer { Task { await fixture.stop() } }
        let result = try await fixture.gnutlsCLI(client)
        #expect(!result.stdout.contains("bilet://"))
        let outcomes = await fixture.server.waitForOutcomes(1)
        guard case .refused = outcomes.first.map(Self.failure) else {
            Issue.record("expected a refusal, got \(outcomes)")
            return
        }
    }

    @Test func optionalListenerServesAnonymousClientsButStillRefusesBadCertificates() async throws {
        let fixture = try await TLSFixture.start(clientAuthentication: .optional)
        defer { Task { await fixture.stop() } }
        let anonymous = try await fixture.curl(nil)
        #expect(anonymous.stdout.hasPrefix("anonymous TLS1.3"), "\(anonymous.stdout) \(anonymous.stderr)")
        let good = try await fixture.curl(.school)
        #expect(good.stdout.hasPrefix("bilet://school/77-1234/ws/3"))
        let bad = try await fixture.curl(.expired)
        #expect(!bad.stdout.contains("200"))
        let outcomes = await fixture.server.waitForOutcomes(3)
        #expect(outcomes.count == 3)
        #expect(outcomes.last.map(Self.failure) == .refused(.expired))
    }

    @Test func listenerWithoutClientAuthenticationAsksForNoCertificate() async throws {
        let fixture = try await TLSFixture.start(clientAuthentication: .none)
        defer { Task { await fixture.stop() } }
        // even a certificate that would be refused is neither asked for nor looked at
        let result = try await fixture.curl(.expired)
        #expect(result.stdout.hasPrefix("anonymous TLS1.3"), "\(result.stdout) \(result.stderr)")
        let gnutls = try await fixture.gnutlsCLI(nil)
        #expect(gnutls.stdout.contains("anonymous TLS1.3"))
    }

    /// What `Tests/Tools/refused-client.py` saw: the outer content types of the records received,
    /// when the server closed after the first byte it sent (nil: not within the wait), and whether
    /// that close was a reset.
    struct RefusedClientReport: Decodable {
        let records: [Int]
        let closedAfter: Double?
        let reset: Bool
    }

    static let refusedClient = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/refused-client.py").path

    /// A refused client that reads the alert but never closes (silent, or still sending) gets the
    /// alert without a reset and is closed after the linger: not at once (the alert could be lost
    /// to a reset), and not never (it would hold its connection and per-address slots).
    @Test(arguments: [false, true])
    func refusedClientThatStaysOpenIsClosedAfterTheLinger(chatter: Bool) async throws {
        let fixture = try await TLSFixture.start()
        defer { Task { await fixture.stop() } }
        let pki = fixture.pki
        let result = try await ToolRunner.run(
            "python3",
            [Self.refusedClient, "\(fixture.server.port)", "--cafile", pki.caBundle, "--cert", pki.certificate(.revoked),
             "--key", pki.key(.revoked), "--wait", "4"] + (chatter ? ["--chatter"] : []))
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(RefusedClientReport.self, from: Data(result.stdout.utf8))
        // One record: the fatal alert, encrypted as TLS 1.3 sends it after the handshake (outer type
        // 23); nothing else is sent to a refused client.
        #expect(report.records == [23], "\(result.stdout)")
        #expect(!report.reset, "\(result.stdout)")
        let closedAfter = try #require(report.closedAfter, "the server never closed: \(result.stdout)")
        #expect(closedAfter >= 0.4, "closed before the linger ended: \(result.stdout)")
        #expect(closedAfter < 2.5, "\(result.stdout)")
        let outcomes = await fixture.server.waitForOutcomes(1)
        #expect(outcomes.first.map(Self.failure) == .refused(.revoked))
    }

    static func failure(_ result: Result<PeerIdentity, TLSConnectionError>) -> TLSConnectionError? {
        if case .failure(let error) = result { return error }
        return nil
    }
}

/// Protocol versions and suites outside the hardened profile are refused by the server itself
/// (the assertions check the server saw a ClientHello and failed the handshake, so a client
/// that refused to try would not pass).
@Suite(.serialized) struct ProtocolRefusalTests {
    static let openSSLCases: [(String, [String], String)] = [
        ("TLS 1.1", ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"], "GNUTLS_E_UNSUPPORTED_VERSION_PACKET"),
        ("TLS 1.0", ["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"], "GNUTLS_E_UNSUPPORTED_VERSION_PACKET"),
        ("CBC only", ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA"], "GNUTLS_E_NO_CIPHER_SUITES"),
        ("RSA key exchange only", ["-tls1_2", "-cipher", "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA"], "GNUTLS_E_NO_CIPHER_SUITES"),
    ]

    @Test(arguments: openSSLCases)
    func openSSLClientIsRefused(name: String, options: [String], gnutlsError: String) async throws {
        let fixture = try await TLSFixture.start()
        defer { Task { await fixture.stop() } }
        let pki = fixture.pki
        let result = try await ToolRunner.run(
            "openssl",
            ["s_client", "-connect", "127.0.0.1:\(fixture.server.port)", "-CAfile", pki.caBundle,
             "-cert", pki.certificate(.school), "-key", pki.key(.school)] + options,
            input: "GET / HTTP/1.0\r\n\r\n")
        #expect(!result.stdout.contains("bilet://"), "\(name)")
        let outcomes = await fixture.server.waitForOutcomes(1)
        guard case .failure(.handshakeFailed(let error)) = outcomes.first else {
            Issue.record("\(name): expected a failed handshake, got \(outcomes)")
            return
        }
        #expect(error.gnutlsName == gnutlsError, "\(name)")
    }

    @Test(arguments: [
        ("TLS 1.1", "NORMAL:-VERS-ALL:+VERS-TLS1.1", "GNUTLS_E_UNSUPPORTED_VERSION_PACKET"),
        ("TLS 1.0", "NORMAL:-VERS-ALL:+VERS-TLS1.0", "GNUTLS_E_UNSUPPORTED_VERSION_PACKET"),
        ("CBC only", "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-CBC:+AES-256-CBC:-MAC-ALL:+SHA1:+SHA256", "GNUTLS_E_NO_CIPHER_SUITES"),
        ("RSA key exchange only", "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA", "GNUTLS_E_NO_CIPHER_SUITES"),
    ])
    func gnutlsClientIsRefused(name: String, priority: String, gnutlsError: String) async throws {
        let fixture = try await TLSFixture.start()
        defer { Task { await fixture.stop() } }
        let result = try await fixture.gnutlsCLI(.school, priority: priority)
        #expect(!result.stdout.contains("bilet://"), "\(name)")
        let outcomes = await fixture.server.waitForOutcomes(1)
        guard case .failure(.handshakeFailed(let error)) = outcomes.first else {
            Issue.record("\(name): expected a failed handshake, got \(outcomes)")
            return
        }
        #expect(error.gnutlsName == gnutlsError, "\(name)")
    }
}

/// Broken handshakes end the connection and do not disturb anyone else.
@Suite(.serialized) struct BrokenHandshakeTests {
    @Test func garbageInsteadOfAClientHello() async throws {
        let fixture = try await TLSFixture.start()
        defer { Task { await fixture.stop() } }
        let garbage = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + [UInt8](repeating: 0xAB, count: 600)
        let ending = try await RawTCPClient.send(garbage, to: fixture.server.port)
        guard case .closedByServer = ending else {
            Issue.record("server kept the connection: \(ending)")
            return
        }
        let outcomes = await fixture.server.waitForOutcomes(1)
        guard case .failure(.handshakeFailed) = outcomes.first else {
            Issue.record("expected a failed handshake, got \(outcomes)")
            return
        }
        try await Self.expectStillServing(fixture)
    }

    @Test func truncatedHandshake() async throws {
        let fixture = try await TLSFixture.start()
        defer { Task { await fixture.stop() } }
        let ending = try await RawTCPClient.send(RawTCPClient.partialClientHello, to: fixture.server.port, halfClose: true)
        #expect(ending == .closedByServer(received: 0))
        let outcomes = await fixture.server.waitForOutcomes(1)
        #expect(outcomes.first.flatMap(RefusalTests.failure) == .closedDuringHandshake)
        try await Self.expectStillServing(fixture)
    }

    @Test func stalledHandshakeTimesOut() async throws {
        // Long enough for curl's own handshake on a loaded machine (the parallel pass), short enough to
        // tell a timeout from the client's 5-second stall.
        let fixture = try await TLSFixture.start(limits: ListenerLimits(handshakeTimeout: .milliseconds(1_500)))
        defer { Task { await fixture.stop() } }
        let clock = ContinuousClock()
        let start = clock.now
        async let stalled = RawTCPClient.send(RawTCPClient.partialClientHello, to: fixture.server.port, wait: .seconds(5))
        try await Self.expectStillServing(fixture)  // served while the other one stalls
        let ending = try await stalled
        #expect(ending == .closedByServer(received: 0))
        #expect(clock.now - start < .seconds(3))
        let outcomes = await fixture.server.waitForOutcomes(2)
        #expect(outcomes.compactMap(RefusalTests.failure) == [.handshakeTimedOut])
    }

    @Test func silentClientTimesOut() async throws {
        let fixture = try await TLSFixture.start(limits: ListenerLimits(handshakeTimeout: .milliseconds(300)))
        defer { Task { await fixture.stop() } }
        let ending = try await RawTCPClient.send([], to: fixture.server.port, wait: .seconds(5))
        #expect(ending == .closedByServer(received: 0))
        let outcomes = await fixture.server.waitForOutcomes(1)
        #expect(outcomes.first.flatMap(RefusalTests.failure) == .handshakeTimedOut)
    }

    static func expectStillServing(_ fixture: TLSFixture) async throws {
        let result = try await fixture.curl(.school)
        #expect(result.stdout.hasPrefix("bilet://school/77-1234/ws/3"), "\(result.stdout) \(result.stderr)")
    }
}
