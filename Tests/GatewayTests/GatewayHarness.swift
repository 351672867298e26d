import Foundation
import Gateway
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import TLS
import TLSTestSupport

/// One PKI for the whole test process; deleted at exit.
enum SharedPKI {
    static let ready = Task { () throws -> TestPKI in
        let pki = try await TestPKI()
        PKICleanup.register(pki.directory.path)
        return pki
    }

    static func get() async throws -> TestPKI { try await ready.value }
}

enum PKICleanup {
    nonisolated(unsafe) private static var path: String?
    static func register(_ directory: String) {
        path = directory
        atexit {
            if let path = PKICleanup.path { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}

/// A running gateway on 127.0.0.1 with ephemeral ports, its logs, and a way to stop it gracefully.
final class GatewayHarness: Sendable {
    let pki: TestPKI
    let gateway: Gateway
    let registry: ConnectionRegistry
    let logs: RecordingLogHandler.Store
    let workDirectory: URL
    private let ports: PortBook
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    private init(
        pki: TestPKI, gateway: Gateway, registry: ConnectionRegistry, logs: RecordingLogHandler.Store, workDirectory: URL,
        ports: PortBook, group: ServiceGroup, running: Task<Void, any Error>
    ) {
        self.pki = pki
        self.gateway = gateway
        self.registry = registry
        self.logs = logs
        self.workDirectory = workDirectory
        self.ports = ports
        self.group = group
        self.running = running
    }

    /// Starts a gateway with `listeners` (ports are replaced by 0). The material files are copied
    /// into a private directory so tests can replace them.
    static func start(
        listeners: [TLSListenerConfiguration] = [
            TLSListenerConfiguration(name: "workstations", host: "127.0.0.1", port: 0, clientAuthentication: .required, profile: .gost),
            TLSListenerConfiguration(name: "pupils", host: "127.0.0.1", port: 0, clientAuthentication: .none),
        ],
        router: Router<BiletRequestContext> = Gateway.makeRouter(),
        watchSIGHUP: Bool = false,
        pollInterval: Duration = .milliseconds(200),
        ticketKey: Bool = false
    ) async throws -> GatewayHarness {
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
        let files = TLSMaterialFiles(
            serverKeyPairs: [
                .init(certificateChain: work.appendingPathComponent("server.pem").path, privateKey: work.appendingPathComponent("server.key").path),
                .init(certificateChain: work.appendingPathComponent("gost-server.pem").path, privateKey: work.appendingPathComponent("gost-server.key").path),
            ],
            clientCABundle: work.appendingPathComponent("ca-bundle.pem").path,
            revocationList: work.appendingPathComponent("crl.pem").path,
            ticketKey: ticketKey ? work.appendingPathComponent("ticket.key").path : nil)
        let logs = RecordingLogHandler.Store()
        let logger = RecordingLogHandler.logger(logs)
        let registry = ConnectionRegistry()
        let store = try TLSMaterialStore(files: files, registry: registry, logger: logger)
        let gateway = try Gateway(
            listeners: listeners, material: store, registry: registry, router: router, reloadPollInterval: pollInterval,
            watchesSIGHUP: watchSIGHUP, logger: logger)
        let ports = PortBook()
        var configuration = ServiceGroupConfiguration(
            services: gateway.services { name, port in ports.set(name, port) }.map { .init(service: $0) },
            logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        let running = Task { try await group.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while ports.count < listeners.count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        guard ports.count == listeners.count else { throw HarnessError.didNotStart }
        return GatewayHarness(
            pki: pki, gateway: gateway, registry: registry, logs: logs, workDirectory: work, ports: ports, group: group,
            running: running)
    }

    func port(_ listener: String) -> Int { self.ports.get(listener) }

    /// A file of the gateway's private material copy.
    func materialPath(_ name: String) -> String { self.workDirectory.appendingPathComponent(name).path }

    /// Replaces a material file atomically (write beside, then rename), as an operator would.
    func replaceMaterial(_ name: String, withContentsOf source: String) throws {
        let temporary = self.materialPath(name + ".new")
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: source, toPath: temporary)
        guard rename(temporary, self.materialPath(name)) == 0 else { throw HarnessError.renameFailed }
    }

    /// Graceful shutdown, then waits for the services to end.
    func stop() async {
        await self.group.triggerGracefulShutdown()
        _ = try? await self.running.value
        try? FileManager.default.removeItem(at: self.workDirectory)
    }

    /// curl against a listener.
    func curl(
        _ listener: String, _ client: TestPKI.Client?, path: String = "/v1/whoami", extra: [String] = [], timeout: Int = 10
    ) async throws -> ToolResult {
        var arguments = ["-sS", "--max-time", "\(timeout)", "--cacert", self.pki.caBundle, "-w", "\\n%{http_code}"]
        if let client { arguments += ["--cert", self.pki.certificate(client), "--key", self.pki.key(client)] }
        arguments += extra + ["https://127.0.0.1:\(self.port(listener))\(path)"]
        return try await ToolRunner.run("curl", arguments, timeout: .seconds(timeout + 5))
    }

    /// gnutls-cli sending `request` to a listener.
    func gnutlsCLI(
        _ listener: String, _ client: TestPKI.Client?, priority: String, request: String = "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    ) async throws -> ToolResult {
        var arguments = ["--x509cafile", self.pki.caBundle, "--priority", priority, "-p", "\(self.port(listener))"]
        if let client { arguments += ["--x509certfile", self.pki.certificate(client), "--x509keyfile", self.pki.key(client)] }
        arguments.append("127.0.0.1")
        return try await ToolRunner.run("gnutls-cli", arguments, input: request)
    }
}

final class PortBook: Sendable {
    private let ports = Mutex<[String: Int]>([:])
    func set(_ name: String, _ port: Int) { self.ports.withLock { $0[name] = port } }
    func get(_ name: String) -> Int { self.ports.withLock { $0[name] ?? 0 } }
    var count: Int { self.ports.withLock { $0.count } }
}

enum HarnessError: Error {
    case didNotStart
    case renameFailed
}

/// Splits curl's `-w '\n%{http_code}'` output into body and status.
func split(_ result: ToolResult) -> (body: String, status: String) {
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let status = lines.last.map(String.init) ?? ""
    return (lines.dropLast().joined(separator: "\n"), status)
}
