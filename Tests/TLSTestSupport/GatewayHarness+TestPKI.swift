import Foundation
public import Gateway
public import Hummingbird
public import TLS

extension GatewayHarness where Fixture == TestPKI {
    /// The test PKI the gateway's material was copied from.
    public var pki: TestPKI { self.fixture }

    /// Starts a gateway on the shared ``TestPKI``: its ECDSA and GOST server key pairs, CA bundle
    /// and CRL, copied into a private directory so tests can replace them. Listener ports are 0.
    ///
    /// - Parameters:
    ///   - ticketKey: load a fixed session ticket key from a file (otherwise one is generated).
    ///   - requestObserver: told of every answer and of every request the listeners' limits refuse
    ///     or end (as the metrics are).
    public static func start(
        listeners: [TLSListenerConfiguration] = [
            TLSListenerConfiguration(name: "workstations", host: "127.0.0.1", port: 0, clientAuthentication: .required, profile: .gost),
            TLSListenerConfiguration(name: "pupils", host: "127.0.0.1", port: 0, clientAuthentication: .none),
        ],
        router: Router<BiletRequestContext> = Gateway.makeRouter(),
        watchSIGHUP: Bool = false,
        pollInterval: Duration = .milliseconds(200),
        ticketKey: Bool = false,
        requestObserver: (any RequestObserver)? = nil
    ) async throws -> GatewayHarness<TestPKI> {
        let pki = try await SharedPKI.get()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-gw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for name in ["server.pem", "server.key", "gost-server.pem", "gost-server.key", "ca-bundle.pem", "crl.pem"] {
            try FileManager.default.copyItem(atPath: pki.path(name), toPath: work.appendingPathComponent(name).path)
        }
        if ticketKey {
            try Data((0..<64).map { UInt8($0) }).base64EncodedString().write(
                to: work.appendingPathComponent("ticket.key"), atomically: true, encoding: .utf8)
        }
        func file(_ name: String) -> String { work.appendingPathComponent(name).path }
        let files = TLSMaterialFiles(
            serverKeyPairs: [
                .init(certificateChain: file("server.pem"), privateKey: file("server.key")),
                .init(certificateChain: file("gost-server.pem"), privateKey: file("gost-server.key")),
            ],
            clientCABundle: file("ca-bundle.pem"), revocationList: file("crl.pem"), ticketKey: ticketKey ? file("ticket.key") : nil)
        return try await Self.start(
            fixture: pki, files: files, workDirectory: work, caBundle: pki.caBundle, listeners: listeners, router: router,
            watchSIGHUP: watchSIGHUP, pollInterval: pollInterval, requestObserver: requestObserver,
            cleanUp: { try? FileManager.default.removeItem(at: work) })
    }

    /// curl against a listener with a test client's certificate (or none).
    public func curl(
        _ listener: String, _ client: TestPKI.Client?, path: String = "/v1/whoami", extra: [String] = [], timeout: Int = 10
    ) async throws -> ToolResult {
        try await self.curl(
            listener, certificate: client.map(self.pki.certificate), key: client.map(self.pki.key), path: path, extra: extra, timeout: timeout)
    }

    /// curl with `version` (`--http1.1` or `--http2`) and `method`: the HTTP version the answer came
    /// in (`1.1`, `2`), its status and its body. A body for `POST`, `PUT` and `PATCH` comes in `extra`.
    public func curlAnswer(
        _ listener: String, _ client: TestPKI.Client?, version: String, path: String = "/v1/whoami", method: String = "GET",
        extra: [String] = []
    ) async throws -> (version: String, status: String, body: String) {
        let result = try await self.curl(
            listener, client, path: path, extra: [version, "-X", method, "-w", "\n%{http_version} %{http_code}"] + extra)
        var lines = result.stdout.components(separatedBy: "\n")
        let last = (lines.popLast() ?? "").split(separator: " ").map(String.init)
        return (last.first ?? "", last.last ?? "", lines.joined(separator: "\n"))
    }

    /// gnutls-cli sending `request` to a listener with a test client's certificate (or none).
    public func gnutlsCLI(
        _ listener: String, _ client: TestPKI.Client?, priority: String,
        request: String = "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    ) async throws -> ToolResult {
        try await self.gnutlsCLI(
            listener, certificate: client.map(self.pki.certificate), key: client.map(self.pki.key), priority: priority, request: request)
    }
}
