import Foundation
import GnuTLS
import Logging
import NIOCore
import NIOPosix
import TLS
import TLSTestSupport

/// A running test server with its own material, registry and log.
struct TLSFixture {
    let pki: TestPKI
    let store: TLSMaterialStore
    let registry: ConnectionRegistry
    let listener: TLSListener
    let server: TestTLSServer
    let logs: RecordingLogHandler.Store

    static func start(
        clientAuthentication: ClientAuthentication = .required,
        profile: TLSProfile = .hardened,
        limits: ListenerLimits = ListenerLimits(),
        crl: String? = nil,
        files: ((TestPKI) -> TLSMaterialFiles)? = nil
    ) async throws -> TLSFixture {
        let pki = try await SharedPKI.get()
        let logs = RecordingLogHandler.Store()
        let logger = RecordingLogHandler.logger(logs)
        let registry = ConnectionRegistry()
        let materialFiles = files?(pki) ?? TLSMaterialFiles(
            serverKeyPairs: [
                .init(certificateChain: pki.serverCertificate, privateKey: pki.serverKey),
                .init(certificateChain: pki.gostServerCertificate, privateKey: pki.gostServerKey),
            ],
            clientCABundle: pki.caBundle,
            revocationList: crl ?? pki.crl)
        let store = try TLSMaterialStore(files: materialFiles, registry: registry, logger: logger)
        let listener = try TLSListener(
            configuration: TLSListenerConfiguration(
                name: "test", host: "127.0.0.1", port: 0, clientAuthentication: clientAuthentication, profile: profile,
                limits: limits),
            material: store, registry: registry, logger: logger)
        let server = try await TestTLSServer.start(listener, group: MultiThreadedEventLoopGroup.singleton)
        return TLSFixture(pki: pki, store: store, registry: registry, listener: listener, server: server, logs: logs)
    }

    var url: String { "https://127.0.0.1:\(self.server.port)/" }

    /// curl with the given client certificate (or none).
    func curl(_ client: TestPKI.Client?, extra: [String] = [], path: String = "/") async throws -> ToolResult {
        // HTTP/1.1 only: the test server behind the listener speaks nothing else (ALPN offers h2 too)
        var arguments = ["-sS", "--http1.1", "--max-time", "10", "--cacert", self.pki.caBundle, "-w", "\\n%{http_code}"]
        if let client { arguments += ["--cert", self.pki.certificate(client), "--key", self.pki.key(client)] }
        arguments += extra + ["https://127.0.0.1:\(self.server.port)\(path)"]
        return try await ToolRunner.run("curl", arguments)
    }

    /// gnutls-cli sending one HTTP/1.0 request, with the given client certificate and priority.
    func gnutlsCLI(_ client: TestPKI.Client?, priority: String = "NORMAL", extra: [String] = []) async throws -> ToolResult {
        var arguments = ["--x509cafile", self.pki.caBundle, "--priority", priority, "-p", "\(self.server.port)"]
        if let client { arguments += ["--x509certfile", self.pki.certificate(client), "--x509keyfile", self.pki.key(client)] }
        arguments += extra + ["127.0.0.1"]
        return try await ToolRunner.run("gnutls-cli", arguments, input: "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
    }

    func stop() async {
        await self.server.stop()
    }
}
