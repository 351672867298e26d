import CertificateAuthority
import Foundation
import CertificatesHTTP
import Gateway
import GnuTLS
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import TLS
import TLSTestSupport

/// Remembers what a ``RevocationObserver`` was told (the staff-session hook).
final class RecordingObserver: RevocationObserver {
    private let seen = Mutex<[Set<RevocationKey>]>([])
    func certificatesRevoked(_ revoked: Set<RevocationKey>) async { self.seen.withLock { $0.append(revoked) } }
    var calls: [Set<RevocationKey>] { self.seen.withLock { $0 } }
}

/// The shared gateway harness over the CA under test.
typealias CAGatewayHarness = GatewayHarness<CAFixture>

extension GatewayHarness where Fixture == CAFixture {
    /// A real gateway whose TLS material comes from the CA under test: ECDSA and GOST server
    /// certificates it issued, its trust bundle and initial CRLs; the renewal route wired to the
    /// CA; and, with `subscriber`, the CRL subscriber listening on the test database (telling
    /// `observers`). One listener, `workstations`, requiring client certificates.
    static func start(subscriber: Bool = true, observers: [any RevocationObserver] = []) async throws -> CAGatewayHarness {
        let fixture = try await CAFixture.make()
        try await fixture.server(name: "server", keyType: .ecdsaP256)
        try await fixture.server(name: "gost-server", keyType: .gost256)
        try ProtectedFile.writePublic(
            String(decoding: try ProtectedFile.readPublic(fixture.authorityDirectory.bundle), as: UTF8.self), to: fixture.path("ca-bundle.pem"))
        try fixture.initialRevocationLists(into: "crl.pem")
        let files = TLSMaterialFiles(
            serverKeyPairs: [
                .init(certificateChain: fixture.path("server.pem"), privateKey: fixture.path("server.key")),
                .init(certificateChain: fixture.path("gost-server.pem"), privateKey: fixture.path("gost-server.key")),
            ],
            clientCABundle: fixture.path("ca-bundle.pem"), revocationList: fixture.path("crl.pem"))
        let router = Gateway.makeRouter()
        let authority = fixture.authority()
        CertificateRoutes.add(to: router) { request throws(CertificateRoutes.RenewalRefusal) in
            do throws(CertificateAuthorityError) {
                return try await authority.renew(
                    requestPEM: request.requestPEM, presentedSerial: request.presentedCertificate.serial, principal: request.principal
                ).chainPEM
            } catch {
                throw CertificateRoutes.RenewalRefusal(status: .init(code: error.httpStatus), code: error.code.rawValue, title: error.title)
            }
        }
        let harness = try await Self.start(
            fixture: fixture, files: files, workDirectory: fixture.directory, caBundle: fixture.path("ca-bundle.pem"),
            listeners: [
                TLSListenerConfiguration(name: "workstations", host: "127.0.0.1", port: 0, clientAuthentication: .required, profile: .gost)
            ],
            router: router, pollInterval: .milliseconds(500),
            services: { store, logger in
                guard subscriber else { return [] }
                return [
                    try RevocationListSubscriber(
                        configuration: fixture.database.components().configuration(for: .gateway), store: store, observers: observers, logger: logger)
                ]
            },
            cleanUp: { await fixture.tearDown() })
        if subscriber { _ = await harness.waitForLog("crl subscriber listening", timeout: .seconds(20)) }
        return harness
    }

    var listeningPort: Int { self.port("workstations") }

    /// curl against the workstations listener with the client chain and key `name`.pem/.key.
    func curl(_ name: String, path: String = "/v1/whoami", extra: [String] = []) async throws -> (status: String, body: String) {
        let result = try await self.curl(
            "workstations", certificate: self.fixture.path("\(name).pem"), key: self.fixture.path("\(name).key"), path: path, extra: extra)
        let (body, status) = split(result)
        return (status, body)
    }

    /// POSTs a signing request to the renewal route with the client `name`.
    func renew(_ name: String, requestPEM: String) async throws -> (status: String, body: String) {
        let file = self.fixture.path("\(UUID().uuidString).csr")
        try requestPEM.write(toFile: file, atomically: true, encoding: .utf8)
        return try await self.curl(
            name, path: "/v1/certificates/renew",
            extra: ["-X", "POST", "-H", "Content-Type: application/pkcs10", "--data-binary", "@\(file)"])
    }

    /// A keep-alive `openssl s_client` connection with the client `name`.
    func keepAliveClient(_ name: String) throws -> InteractiveTool {
        try self.sClient("workstations", certificate: self.fixture.path("\(name).pem"), key: self.fixture.path("\(name).key"))
    }

    /// The bilet CLI's CA and database options for this fixture.
    var cliOptions: [String] {
        [
            "--ca-dir", self.fixture.authorityDirectory.path, "--issuing-passphrase-file", self.fixture.issuingPassphraseFile,
            "--database-url", self.fixture.database.configuration.connectionString, "--actor", "admin:test",
        ]
    }
}
