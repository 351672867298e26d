import CertificateAuthority
import Foundation
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

final class PortBox: Sendable {
    private let port = Mutex(0)
    func set(_ value: Int) { self.port.withLock { $0 = value } }
    var value: Int { self.port.withLock { $0 } }
}

/// A real gateway whose TLS material comes from the CA under test: ECDSA and GOST server
/// certificates it issued, its trust bundle and CRLs; the renewal route wired to the CA; and,
/// optionally, the CRL subscriber listening on the test database.
final class CAGatewayHarness: Sendable {
    let fixture: CAFixture
    let gateway: Gateway
    let registry: ConnectionRegistry
    let logs: RecordingLogHandler.Store
    let observer: RecordingObserver
    private let port: PortBox
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    private init(
        fixture: CAFixture, gateway: Gateway, registry: ConnectionRegistry, logs: RecordingLogHandler.Store, observer: RecordingObserver,
        port: PortBox, group: ServiceGroup, running: Task<Void, any Error>
    ) {
        self.fixture = fixture
        self.gateway = gateway
        self.registry = registry
        self.logs = logs
        self.observer = observer
        self.port = port
        self.group = group
        self.running = running
    }

    static func start(subscriber: Bool = true) async throws -> CAGatewayHarness {
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
        let logs = RecordingLogHandler.Store()
        let logger = RecordingLogHandler.logger(logs)
        let registry = ConnectionRegistry()
        let store = try TLSMaterialStore(files: files, registry: registry, logger: logger)
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
        let gateway = try Gateway(
            listeners: [
                TLSListenerConfiguration(name: "workstations", host: "127.0.0.1", port: 0, clientAuthentication: .required, profile: .gost)
            ],
            material: store, registry: registry, router: router, reloadPollInterval: .milliseconds(500), watchesSIGHUP: false, logger: logger)
        let observer = RecordingObserver()
        let port = PortBox()
        var services = gateway.services { _, bound in port.set(bound) }
        if subscriber {
            services.append(
                try RevocationListSubscriber(
                    configuration: fixture.database.components().configuration(for: .ca), store: store, observers: [observer],
                    logger: logger))
        }
        var configuration = ServiceGroupConfiguration(services: services.map { .init(service: $0) }, logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        let running = Task { try await group.run() }
        let deadline = ContinuousClock.now + .seconds(20)
        while port.value == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        if subscriber {
            while logs.messages(containing: "crl subscriber listening").isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        return CAGatewayHarness(
            fixture: fixture, gateway: gateway, registry: registry, logs: logs, observer: observer, port: port, group: group, running: running)
    }

    var listeningPort: Int { self.port.value }

    func stop() async {
        await self.group.triggerGracefulShutdown()
        _ = try? await self.running.value
        await self.fixture.tearDown()
    }

    /// curl against the workstations listener with the client chain and key `name`.pem/.key.
    func curl(_ name: String, path: String = "/v1/whoami", extra: [String] = []) async throws -> (status: String, body: String) {
        var arguments = [
            "-sS", "--max-time", "10", "--cacert", self.fixture.path("ca-bundle.pem"), "-w", "\\n%{http_code}",
            "--cert", self.fixture.path("\(name).pem"), "--key", self.fixture.path("\(name).key"),
        ]
        arguments += extra + ["https://127.0.0.1:\(self.listeningPort)\(path)"]
        let result = try await ToolRunner.run("curl", arguments, timeout: .seconds(15))
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.last.map(String.init) ?? "", lines.dropLast().joined(separator: "\n"))
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
        try InteractiveTool("openssl", [
            "s_client", "-quiet", "-connect", "127.0.0.1:\(self.listeningPort)", "-CAfile", self.fixture.path("ca-bundle.pem"),
            "-cert", self.fixture.path("\(name).pem"), "-key", self.fixture.path("\(name).key"),
        ])
    }

    /// The bilet CLI's CA and database options for this fixture.
    var cliOptions: [String] {
        [
            "--ca-dir", self.fixture.authorityDirectory.path, "--issuing-passphrase-file", self.fixture.issuingPassphraseFile,
            "--database-url", self.fixture.database.configuration.connectionString, "--actor", "admin:test",
        ]
    }
}
