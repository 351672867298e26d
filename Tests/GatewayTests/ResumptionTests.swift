import Foundation
import Gateway
import TLS
import TLSTestSupport
import Testing

/// TLS 1.3 session tickets: resumption works, survives a reload, works across instances that share
/// the ticket key, and never bypasses client verification.
@Suite(.serialized) struct ResumptionTests {
    /// One request with openssl s_client, saving or reusing a session.
    static func request(
        _ harness: GatewayHarness<TestPKI>, _ client: TestPKI.Client?, listener: String = "workstations", sessionOut: String? = nil,
        sessionIn: String? = nil
    ) async throws -> ToolResult {
        var arguments = ["s_client", "-connect", "127.0.0.1:\(harness.port(listener))", "-CAfile", harness.pki.caBundle, "-tls1_3", "-ign_eof"]
        if let client { arguments += ["-cert", harness.pki.certificate(client), "-key", harness.pki.key(client)] }
        if let sessionOut { arguments += ["-sess_out", sessionOut] }
        if let sessionIn { arguments += ["-sess_in", sessionIn] }
        return try await ToolRunner.run(
            "openssl", arguments, input: "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    }

    static func sessionFile(_ harness: GatewayHarness<TestPKI>) -> String {
        harness.workDirectory.appendingPathComponent("session-\(UUID().uuidString).pem").path
    }

    @Test func aTicketResumesWithTheSamePrincipal() async throws {
        let harness = try await GatewayHarness.start()
        let session = Self.sessionFile(harness)
        let first = try await Self.request(harness, .school, sessionOut: session)
        let second = try await Self.request(harness, .school, sessionIn: session)
        await harness.stop()
        #expect(first.stdout.contains(#""resumed":false"#), "\(first.stdout)")
        #expect(second.stdout.contains("Reused, TLSv1.3"), "\(second.stdout)")
        #expect(second.stdout.contains(#""principal":"bilet://school/77-1234/ws/3""#))
        #expect(second.stdout.contains(#""resumed":true"#))
    }

    @Test func aTicketOfARevokedCertificateIsRefused() async throws {
        let harness = try await GatewayHarness.start()
        let session = Self.sessionFile(harness)
        let first = try await Self.request(harness, .venue, sessionOut: session)
        #expect(first.stdout.contains(#""principal":"bilet://venue/77-0042/ws/1""#))
        try harness.replaceMaterial("crl.pem", withContentsOf: harness.pki.path("crl-revoking-venue.pem"))
        #expect(await ReloadTests.waitUntil { harness.gateway.material.current.generation == 2 })
        let second = try await Self.request(harness, .venue, sessionIn: session)
        await harness.stop()
        #expect(!second.stdout.contains("bilet://venue"), "\(second.stdout)")
        let refusals = harness.logs.messages(containing: "tls client certificate refused")
        #expect(refusals.last?.metadata["tls.refusal"] == "revoked")
        #expect(refusals.last?.metadata["tls.resumed"] == "true")
    }

    @Test func aTicketFromTheAnonymousListenerCannotOpenTheAuthenticatedOne() async throws {
        let harness = try await GatewayHarness.start()
        let session = Self.sessionFile(harness)
        let anonymous = try await Self.request(harness, nil, listener: "pupils", sessionOut: session)
        #expect(anonymous.stdout.contains(#""code":"no-client-certificate""#), "\(anonymous.stdout)")
        let second = try await Self.request(harness, nil, sessionIn: session)
        await harness.stop()
        #expect(!second.stdout.contains("HTTP/1.1 200"), "\(second.stdout)")
        let refusal = harness.logs.messages(containing: "tls client certificate refused").last
        #expect(refusal?.metadata["tls.refusal"] == "no-certificate")
        #expect(refusal?.metadata["tls.resumed"] == "true", "the ticket was not even tried")
    }

    @Test func ticketsSurviveAReload() async throws {
        let harness = try await GatewayHarness.start()
        let session = Self.sessionFile(harness)
        _ = try await Self.request(harness, .school, sessionOut: session)
        harness.gateway.material.reload(reason: "test")
        #expect(harness.gateway.material.current.generation == 2)
        let second = try await Self.request(harness, .school, sessionIn: session)
        await harness.stop()
        #expect(second.stdout.contains("Reused, TLSv1.3"), "\(second.stdout)")
    }

    @Test func instancesSharingTheTicketKeyResumeEachOthersSessions() async throws {
        let first = try await GatewayHarness.start(ticketKey: true)
        let second = try await GatewayHarness.start(ticketKey: true)
        let session = Self.sessionFile(first)
        let initial = try await Self.request(first, .service, sessionOut: session)
        #expect(initial.stdout.contains(#""resumed":false"#))
        let resumed = try await Self.request(second, .service, sessionIn: session)
        // and a third instance with its own generated key does not
        let stranger = try await GatewayHarness.start(ticketKey: false)
        let full = try await Self.request(stranger, .service, sessionIn: session)
        await first.stop()
        await second.stop()
        await stranger.stop()
        #expect(resumed.stdout.contains("Reused, TLSv1.3"), "\(resumed.stdout)")
        #expect(resumed.stdout.contains(#""principal":"bilet://service/assessment""#))
        #expect(full.stdout.contains("New, TLSv1.3"), "\(full.stdout)")
        #expect(full.stdout.contains(#""resumed":false"#))
    }
}
