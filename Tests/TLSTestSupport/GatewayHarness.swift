public import Foundation
public import Gateway
public import Hummingbird
public import Logging
public import ServiceLifecycle
import Synchronization
public import TLS

/// A real gateway running in the test process: its services in a `ServiceGroup` on 127.0.0.1 with
/// ephemeral ports, its log recorded, its TLS material read from files in a private work
/// directory, and clients (curl, gnutls-cli, openssl s_client) run as processes against it.
///
/// `Fixture` is what a test target builds the gateway from and keeps alongside it: the shared
/// ``TestPKI`` for the gateway tests (``GatewayHarness/start(listeners:router:watchSIGHUP:pollInterval:ticketKey:)``),
/// the platform CA for the certificate authority tests.
public final class GatewayHarness<Fixture: Sendable>: Sendable {
    /// What the gateway was built from.
    public let fixture: Fixture
    /// The gateway.
    public let gateway: Gateway
    /// Its TLS material.
    public let material: TLSMaterialStore
    /// Its connection registry.
    public let registry: ConnectionRegistry
    /// Everything it logged.
    public let logs: RecordingLogHandler.Store
    /// Where its material files are (tests may replace them).
    public let workDirectory: URL
    /// The CA bundle clients verify the gateway with.
    public let caBundle: String
    private let ports: PortBook
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    private let cleanUp: @Sendable () async -> Void

    private init(
        fixture: Fixture, gateway: Gateway, material: TLSMaterialStore, registry: ConnectionRegistry, logs: RecordingLogHandler.Store,
        workDirectory: URL, caBundle: String, ports: PortBook, group: ServiceGroup, running: Task<Void, any Error>,
        cleanUp: @escaping @Sendable () async -> Void
    ) {
        self.fixture = fixture
        self.gateway = gateway
        self.material = material
        self.registry = registry
        self.logs = logs
        self.workDirectory = workDirectory
        self.caBundle = caBundle
        self.ports = ports
        self.group = group
        self.running = running
        self.cleanUp = cleanUp
    }

    /// Starts a gateway over `files` with `listeners` (their ports should be 0) and waits until
    /// every listener is bound.
    ///
    /// - Parameters:
    ///   - services: more services to run in the same group, made from the material store and
    ///     the recording logger (a CRL subscriber, …).
    ///   - requestObserver: told of every answer and of every request the listeners' limits refuse
    ///     or end (as the metrics are).
    ///   - cleanUp: called by ``stop()`` after the services ended.
    public static func start(
        fixture: Fixture, files: TLSMaterialFiles, workDirectory: URL, caBundle: String,
        listeners: [TLSListenerConfiguration], router: Router<BiletRequestContext> = Gateway.makeRouter(),
        watchSIGHUP: Bool = false, pollInterval: Duration = .milliseconds(200),
        services: (TLSMaterialStore, Logger) throws -> [any Service] = { _, _ in [] },
        requestObserver: (any RequestObserver)? = nil,
        cleanUp: @escaping @Sendable () async -> Void = {}
    ) async throws -> GatewayHarness<Fixture> {
        let logs = RecordingLogHandler.Store()
        let logger = RecordingLogHandler.logger(logs)
        let registry = ConnectionRegistry()
        let store = try TLSMaterialStore(files: files, registry: registry, logger: logger)
        var observing: (@Sendable (RouteTable) -> any RequestObserver)?
        if let requestObserver { observing = { _ in requestObserver } }
        let gateway = try Gateway(
            listeners: listeners, material: store, registry: registry, router: router, reloadPollInterval: pollInterval,
            watchesSIGHUP: watchSIGHUP, requestObserver: observing, logger: logger)
        let ports = PortBook()
        var configuration = ServiceGroupConfiguration(
            services: (gateway.services { name, port in ports.set(name, port) } + (try services(store, logger))).map { .init(service: $0) },
            logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        let running = Task { try await group.run() }
        let harness = GatewayHarness(
            fixture: fixture, gateway: gateway, material: store, registry: registry, logs: logs, workDirectory: workDirectory,
            caBundle: caBundle, ports: ports, group: group, running: running, cleanUp: cleanUp)
        let deadline = ContinuousClock.now + .seconds(10)
        while ports.count < listeners.count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        guard ports.count == listeners.count else {
            await harness.stop()
            throw HarnessError.didNotStart
        }
        return harness
    }

    /// The port a listener is bound to.
    public func port(_ listener: String) -> Int { self.ports.get(listener) }

    /// Waits until a log message containing `text` was recorded; `false` after `timeout`.
    public func waitForLog(_ text: String, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while self.logs.messages(containing: text).isEmpty {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// A file of the gateway's private material copy.
    public func materialPath(_ name: String) -> String { self.workDirectory.appendingPathComponent(name).path }

    /// Replaces a material file atomically (write beside, then rename), as an operator would.
    public func replaceMaterial(_ name: String, withContentsOf source: String) throws {
        let temporary = self.materialPath(name + ".new")
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: source, toPath: temporary)
        guard rename(temporary, self.materialPath(name)) == 0 else { throw HarnessError.renameFailed }
    }

    /// Graceful shutdown, then waits for the services to end, then cleans up.
    public func stop() async {
        await self.group.triggerGracefulShutdown()
        _ = try? await self.running.value
        await self.cleanUp()
    }

    /// curl against a listener, with a client certificate chain and key when given.
    public func curl(
        _ listener: String, certificate: String?, key: String?, path: String = "/v1/whoami", extra: [String] = [], timeout: Int = 10
    ) async throws -> ToolResult {
        var arguments = ["-sS", "--max-time", "\(timeout)", "--cacert", self.caBundle, "-w", "\\n%{http_code}"]
        if let certificate, let key { arguments += ["--cert", certificate, "--key", key] }
        arguments += extra + ["https://127.0.0.1:\(self.port(listener))\(path)"]
        return try await ToolRunner.run("curl", arguments, timeout: .seconds(timeout + 5))
    }

    /// gnutls-cli sending `request` to a listener with `priority`.
    public func gnutlsCLI(
        _ listener: String, certificate: String?, key: String?, priority: String,
        request: String = "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    ) async throws -> ToolResult {
        var arguments = ["--x509cafile", self.caBundle, "--priority", priority, "-p", "\(self.port(listener))"]
        if let certificate, let key { arguments += ["--x509certfile", certificate, "--x509keyfile", key] }
        arguments.append("127.0.0.1")
        return try await ToolRunner.run("gnutls-cli", arguments, input: request)
    }

    /// A keep-alive `openssl s_client` connection to a listener.
    public func sClient(_ listener: String, certificate: String, key: String, extra: [String] = ["-quiet"]) throws -> InteractiveTool {
        try InteractiveTool(
            "openssl",
            ["s_client"] + extra + [
                "-connect", "127.0.0.1:\(self.port(listener))", "-CAfile", self.caBundle, "-cert", certificate, "-key", key,
            ])
    }
}

/// The ports the listeners were bound to, by listener name.
final class PortBook: Sendable {
    private let ports = Mutex<[String: Int]>([:])
    func set(_ name: String, _ port: Int) { self.ports.withLock { $0[name] = port } }
    func get(_ name: String) -> Int { self.ports.withLock { $0[name] ?? 0 } }
    var count: Int { self.ports.withLock { $0.count } }
}

/// Why a harness could not do what it was asked.
public enum HarnessError: Error {
    /// The listeners were not bound in time.
    case didNotStart
    /// A material file could not be replaced.
    case renameFailed
}

/// Splits curl's `-w '\n%{http_code}'` output into body and status.
public func split(_ result: ToolResult) -> (body: String, status: String) {
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let status = lines.last.map(String.init) ?? ""
    return (lines.dropLast().joined(separator: "\n"), status)
}
