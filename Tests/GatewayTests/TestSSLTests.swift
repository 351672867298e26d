import Foundation
import Gateway
import TLS
import TLSTestSupport
import Testing

/// testssl.sh (Debian's `testssl` 3.0) against the hardened profile: no vulnerability, no weak
/// protocol or cipher. testssl 3.0 cannot present a client certificate, so it checks a hardened
/// listener that does not ask for one (the protocol and cipher settings are the same profile); it
/// also runs against the listener that requires certificates, where it must not find anything
/// weak either.
@Suite(.serialized) struct TestSSLTests {
    struct Finding: Decodable {
        let id: String
        let severity: String
        let finding: String
    }

    static func run(_ harness: GatewayHarness<TestPKI>, listener: String) async throws -> [Finding] {
        let json = harness.workDirectory.appendingPathComponent("testssl-\(listener).json").path
        let result = try await ToolRunner.run(
            "testssl",
            ["--quiet", "--color", "0", "--warnings", "batch", "--ip", "one", "--openssl-timeout", "10",
             "--jsonfile", json, "127.0.0.1:\(harness.port(listener))"],
            timeout: .seconds(900))
        #expect(!result.timedOut)
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        return try JSONDecoder().decode([Finding].self, from: data)
    }

    /// Findings that count against the server: anything rated LOW or above, except those about
    /// the test PKI itself (a private CA that testssl does not know, no OCSP or CT for it) or
    /// informational lines that testssl rates above INFO in some versions.
    static let aboutTheTestPKI: Set<String> = [
        "cert_chain_of_trust", "cert_trust", "cert_caIssuers", "cert_ocspURL", "OCSP_stapling", "cert_crlDistributionPoints",
        "cert_revocation", "cert_certificateTransparency", "cert_expirationStatus", "cert_extlifeSpan", "DNS_CAArecord",
        "cert_validityPeriod", "cert_notAfter", "cert_commonName", "cert_subjectAltName", "cert_trust_wildcard", "cert_mustStapleExtension",
        "HSTS", "security_headers", "banner_application", "cookie_count", "cert_numbers",
    ]

    static func problems(_ findings: [Finding]) -> [Finding] {
        findings.filter { finding in
            ["LOW", "MEDIUM", "HIGH", "CRITICAL"].contains(finding.severity)
                && !Self.aboutTheTestPKI.contains(where: { finding.id.hasPrefix($0) })
        }
    }

    @Test func hardenedProfileHasNoWeakness() async throws {
        let harness = try await GatewayHarness.start(listeners: [
            TLSListenerConfiguration(name: "hardened", host: "127.0.0.1", port: 0, clientAuthentication: .none, profile: .hardened)
        ])
        let findings = try await Self.run(harness, listener: "hardened")
        await harness.stop()
        let problems = Self.problems(findings)
        #expect(problems.isEmpty, "\(problems.map { "\($0.severity) \($0.id): \($0.finding)" }.joined(separator: "\n"))")
        // the protocol lines say what is offered
        let offered = Dictionary(findings.map { ($0.id, $0.finding) }, uniquingKeysWith: { first, _ in first })
        #expect(offered["SSLv2"]?.hasPrefix("not offered") == true)
        #expect(offered["SSLv3"]?.hasPrefix("not offered") == true)
        #expect(offered["TLS1"]?.hasPrefix("not offered") == true)
        #expect(offered["TLS1_1"]?.hasPrefix("not offered") == true)
        #expect(offered["TLS1_2"]?.hasPrefix("offered") == true)
        #expect(offered["TLS1_3"]?.hasPrefix("offered") == true)
    }

    @Test func listenerRequiringCertificatesHasNoWeakness() async throws {
        let harness = try await GatewayHarness.start(listeners: [
            TLSListenerConfiguration(name: "workstations", host: "127.0.0.1", port: 0, clientAuthentication: .required, profile: .gost)
        ])
        let findings = try await Self.run(harness, listener: "workstations")
        await harness.stop()
        let problems = Self.problems(findings)
        #expect(problems.isEmpty, "\(problems.map { "\($0.severity) \($0.id): \($0.finding)" }.joined(separator: "\n"))")
        print("testssl findings (client certificates required):\n" + findings.filter { $0.severity != "OK" }.map { "\($0.severity) \($0.id): \($0.finding)" }.joined(separator: "\n"))
    }
}
