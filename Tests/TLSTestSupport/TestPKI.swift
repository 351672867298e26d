public import Foundation
import Synchronization

/// A throwaway PKI in a temporary directory, made with `certtool` (GnuTLS), for tests.
///
/// Synthetic names only. Private keys live only in the temporary directory, which ``remove()``
/// deletes. Layout (all PEM):
/// - `ca`: the platform CA (ECDSA P-256); `gost-ca`: the platform's GOST CA (GOST R 34.10-2012-256).
///   `ca-bundle.pem` holds both.
/// - `server` (ECDSA, for 127.0.0.1 and localhost), `gost-server` (GOST).
/// - `other-ca`: a CA nobody trusts.
/// - clients, see ``Client``.
/// - `crl.pem`: CRLs of both CAs, revoking ``Client/revoked``.
public final class TestPKI: @unchecked Sendable {
    /// The client certificates the PKI issues, each with one property of interest.
    public enum Client: String, CaseIterable, Sendable {
        /// bilet://school/77-1234/ws/3, ECDSA, valid.
        case school = "school"
        /// bilet://service/assessment, ECDSA, valid.
        case service = "service"
        /// bilet://venue/77-0042/ws/1, ECDSA, valid; revoked by `crl-revoking-venue.pem` only.
        case venue = "venue"
        /// bilet://school/77-1234/ws/4, GOST R 34.10-2012-256, issued by the GOST CA.
        case gost = "gost"
        /// Validity period entirely in the past.
        case expired = "expired"
        /// Validity period entirely in the future.
        case notYetValid = "not-yet-valid"
        /// Issued by `other-ca`.
        case otherCA = "other-ca-client"
        /// Listed in `crl.pem`.
        case revoked = "revoked"
        /// Extended key usage serverAuth only.
        case serverUsageOnly = "server-usage-only"
        /// No extended key usage extension at all.
        case noExtendedKeyUsage = "no-eku"
        /// No bilet:// URI.
        case noIdentity = "no-identity"
        /// Two bilet:// URIs.
        case twoIdentities = "two-identities"
        /// Self-signed, with a valid-looking identity.
        case selfSigned = "self-signed"
    }

    public let directory: URL

    /// Makes the whole PKI (about a second with certtool).
    public init() async throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        try await self.build()
    }

    /// Deletes the directory and every key in it.
    public func remove() {
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// The path of a file in the PKI directory.
    public func path(_ name: String) -> String { self.directory.appendingPathComponent(name).path }

    public var caBundle: String { self.path("ca-bundle.pem") }
    public var caCertificate: String { self.path("ca.pem") }
    public var serverCertificate: String { self.path("server.pem") }
    public var serverKey: String { self.path("server.key") }
    public var gostServerCertificate: String { self.path("gost-server.pem") }
    public var gostServerKey: String { self.path("gost-server.key") }
    public var crl: String { self.path("crl.pem") }
    public func certificate(_ client: Client) -> String { self.path("\(client.rawValue).pem") }
    public func key(_ client: Client) -> String { self.path("\(client.rawValue).key") }

    // MARK: Building

    private func certtool(_ arguments: [String]) async throws {
        let result = try await ToolRunner.run("certtool", arguments, timeout: .seconds(60))
        guard result.status == 0 else {
            throw PKIError(step: arguments.joined(separator: " "), output: result.stderr)
        }
    }

    private func write(_ name: String, _ text: String) throws {
        try text.write(to: self.directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    private func key(_ name: String, gost: Bool = false) async throws {
        var arguments = ["--generate-privkey", "--outfile", self.path("\(name).key"), "--no-text"]
        arguments += gost ? ["--key-type", "gost12-256"] : ["--key-type", "ecdsa", "--curve", "secp256r1"]
        try await self.certtool(arguments)
    }

    private func selfSignedCA(_ name: String, cn: String, gost: Bool = false) async throws {
        try await self.key(name, gost: gost)
        try self.write("\(name).tmpl", "cn = \"\(cn)\"\norganization = \"bilet test\"\nca\ncert_signing_key\ncrl_signing_key\nexpiration_days = 30\n")
        try await self.certtool([
            "--generate-self-signed", "--load-privkey", self.path("\(name).key"), "--template", self.path("\(name).tmpl"),
            "--outfile", self.path("\(name).pem"), "--no-text",
        ])
    }

    /// Issues `name` signed by `issuer` from template lines.
    public func issue(_ name: String, by issuer: String, gost: Bool = false, template: [String]) async throws {
        try await self.key(name, gost: gost)
        try self.write("\(name).tmpl", template.joined(separator: "\n") + "\n")
        try await self.certtool([
            "--generate-certificate", "--load-privkey", self.path("\(name).key"),
            "--load-ca-certificate", self.path("\(issuer).pem"), "--load-ca-privkey", self.path("\(issuer).key"),
            "--template", self.path("\(name).tmpl"), "--outfile", self.path("\(name).pem"), "--no-text",
        ])
    }

    /// Template lines for a client certificate of `uri`.
    public static func clientTemplate(cn: String, uris: [String], usage: [String] = ["tls_www_client"], days: Int = 30) -> [String] {
        ["cn = \"\(cn)\"", "organization = \"bilet test\""] + uris.map { "uri = \"\($0)\"" } + usage
            + ["signing_key", "expiration_days = \(days)"]
    }

    private func build() async throws {
        try await self.selfSignedCA("ca", cn: "bilet test platform CA")
        try await self.selfSignedCA("gost-ca", cn: "bilet test platform GOST CA", gost: true)
        try await self.selfSignedCA("other-ca", cn: "bilet test untrusted CA")
        let bundle = try String(contentsOfFile: self.path("ca.pem"), encoding: .utf8)
            + String(contentsOfFile: self.path("gost-ca.pem"), encoding: .utf8)
        try self.write("ca-bundle.pem", bundle)

        let serverTemplate = [
            "cn = \"localhost\"", "dns_name = \"localhost\"", "ip_address = \"127.0.0.1\"", "tls_www_server",
            "signing_key", "encryption_key", "expiration_days = 30",
        ]
        try await self.issue("server", by: "ca", template: serverTemplate)
        try await self.issue("gost-server", by: "gost-ca", gost: true, template: serverTemplate)

        try await self.issue(Client.school.rawValue, by: "ca", template: Self.clientTemplate(cn: "ws-3", uris: ["bilet://school/77-1234/ws/3"]))
        try await self.issue(Client.service.rawValue, by: "ca", template: Self.clientTemplate(cn: "assessment", uris: ["bilet://service/assessment"]))
        try await self.issue(Client.venue.rawValue, by: "ca", template: Self.clientTemplate(cn: "venue ws-1", uris: ["bilet://venue/77-0042/ws/1"]))
        try await self.issue(Client.gost.rawValue, by: "gost-ca", gost: true, template: Self.clientTemplate(cn: "ws-4", uris: ["bilet://school/77-1234/ws/4"]))
        try await self.issue(
            Client.expired.rawValue, by: "ca",
            template: ["cn = \"ws-5\"", "uri = \"bilet://school/77-1234/ws/5\"", "tls_www_client", "signing_key",
                       "activation_date = \"2020-01-01 00:00:00\"", "expiration_date = \"2021-01-01 00:00:00\""])
        try await self.issue(
            Client.notYetValid.rawValue, by: "ca",
            template: ["cn = \"ws-6\"", "uri = \"bilet://school/77-1234/ws/6\"", "tls_www_client", "signing_key",
                       "activation_date = \"2040-01-01 00:00:00\"", "expiration_date = \"2041-01-01 00:00:00\""])
        try await self.issue(Client.otherCA.rawValue, by: "other-ca", template: Self.clientTemplate(cn: "ws-7", uris: ["bilet://school/77-1234/ws/7"]))
        try await self.issue(Client.revoked.rawValue, by: "ca", template: Self.clientTemplate(cn: "ws-8", uris: ["bilet://school/77-1234/ws/8"]))
        try await self.issue(
            Client.serverUsageOnly.rawValue, by: "ca",
            template: Self.clientTemplate(cn: "ws-9", uris: ["bilet://school/77-1234/ws/9"], usage: ["tls_www_server"]))
        try await self.issue(
            Client.noExtendedKeyUsage.rawValue, by: "ca",
            template: Self.clientTemplate(cn: "ws-10", uris: ["bilet://school/77-1234/ws/10"], usage: []))
        try await self.issue(Client.noIdentity.rawValue, by: "ca", template: Self.clientTemplate(cn: "ws-11", uris: ["https://example.invalid/ws/11"]))
        try await self.issue(
            Client.twoIdentities.rawValue, by: "ca",
            template: Self.clientTemplate(cn: "ws-12", uris: ["bilet://school/77-1234/ws/12", "bilet://service/assessment"]))
        // self-signed, claiming a good identity
        try await self.key(Client.selfSigned.rawValue)
        try self.write("self-signed.tmpl", Self.clientTemplate(cn: "ws-13", uris: ["bilet://school/77-1234/ws/13"]).joined(separator: "\n") + "\n")
        try await self.certtool([
            "--generate-self-signed", "--load-privkey", self.key(.selfSigned), "--template", self.path("self-signed.tmpl"),
            "--outfile", self.certificate(.selfSigned), "--no-text",
        ])

        try await self.generateCRL(named: "crl.pem", revoking: [.revoked])
        try await self.generateCRL(named: "crl-revoking-venue.pem", revoking: [.revoked, .venue])
    }

    /// The next CRL number: CRLs made later have higher numbers (gateways refuse to go back).
    private let crlNumbers = Mutex(1000)

    /// Writes `name`: one CRL per CA (platform CA and GOST CA) revoking `clients` of that CA; the
    /// CRL of each CA alone also goes to `name.ca` and `name.gost-ca`. Each call numbers its CRLs
    /// above every earlier call's.
    public func generateCRL(named name: String, revoking clients: [Client]) async throws {
        var combined = ""
        let number = self.crlNumbers.withLock { value -> Int in
            value += 1
            return value
        }
        for (ca, gost) in [("ca", false), ("gost-ca", true)] {
            let mine = clients.filter { ($0 == .gost) == gost }
            let tmpl = "\(name).\(ca).tmpl"
            try self.write(tmpl, "crl_next_update = 7\ncrl_number = \(number)\n")
            var arguments = [
                "--generate-crl", "--load-ca-privkey", self.path("\(ca).key"), "--load-ca-certificate", self.path("\(ca).pem"),
                "--template", self.path(tmpl), "--outfile", self.path("\(name).\(ca)"), "--no-text",
            ]
            if !mine.isEmpty {
                let listFile = "\(name).\(ca).revoked.pem"
                let pems = try mine.map { try String(contentsOfFile: self.certificate($0), encoding: .utf8) }.joined()
                try self.write(listFile, pems)
                arguments += ["--load-certificate", self.path(listFile)]
            }
            try await self.certtool(arguments)
            combined += try String(contentsOfFile: self.path("\(name).\(ca)"), encoding: .utf8)
        }
        try self.write(name, combined)
    }
}

/// A certtool step failed.
public struct PKIError: Error, CustomStringConvertible {
    public let step: String
    public let output: String
    public var description: String { "certtool \(self.step) failed: \(self.output)" }
}
