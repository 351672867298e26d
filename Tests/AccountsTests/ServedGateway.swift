import DatabaseTestSupport
import Foundation
import Gateway
import Hummingbird
import Logging
import PostgreSQL
import ServiceLifecycle
import Synchronization
import TLS
import TLSTestSupport

/// A gateway serving `router` on 127.0.0.1 with the TLS material of `pki` (one listener; client
/// certificates optional: workstations present one, a client without one stands for the pupils'
/// listener), and curl as its client. What ``StaffHarness`` and ``AdministrationHarness`` serve
/// their routes with.
final class ServedGateway: Sendable {
    let pki: TestPKI
    private let boundPort: BoundPort
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    private let work: URL

    private init(pki: TestPKI, port: BoundPort, group: ServiceGroup, running: Task<Void, any Error>, work: URL) {
        self.pki = pki
        self.boundPort = port
        self.group = group
        self.running = running
        self.work = work
    }

    /// Starts serving `router`; returns once the listener is bound (or after 10 s).
    static func start(_ router: Router<BiletRequestContext>, pki: TestPKI, label: String) async throws -> ServedGateway {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for name in ["server.pem", "server.key", "ca-bundle.pem", "crl.pem"] {
            try FileManager.default.copyItem(atPath: pki.path(name), toPath: work.appendingPathComponent(name).path)
        }
        let files = TLSMaterialFiles(
            serverKeyPairs: [.init(certificateChain: work.appendingPathComponent("server.pem").path, privateKey: work.appendingPathComponent("server.key").path)],
            clientCABundle: work.appendingPathComponent("ca-bundle.pem").path,
            revocationList: work.appendingPathComponent("crl.pem").path, ticketKey: nil)
        var logger = Logger(label: "bilet.test.\(label)")
        logger.logLevel = .warning
        let registry = ConnectionRegistry()
        let material = try TLSMaterialStore(files: files, registry: registry, logger: logger)
        let gateway = try Gateway(
            listeners: [TLSListenerConfiguration(name: "workstations", host: "127.0.0.1", port: 0, clientAuthentication: .optional)],
            material: material, registry: registry, router: router, watchesSIGHUP: false, logger: logger)
        let port = BoundPort()
        var configuration = ServiceGroupConfiguration(
            services: gateway.services { _, bound in port.value.withLock { $0 = bound } }.map { .init(service: $0) }, logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        let running = Task { try await group.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while port.value.withLock({ $0 }) == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        return ServedGateway(pki: pki, port: port, group: group, running: running, work: work)
    }

    /// Shuts the gateway down and removes its material copy.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        try? FileManager.default.removeItem(at: work)
    }

    /// curl with the workstation certificate `certificate` (a PKI file name without `.pem`; nil: none).
    func curl(
        _ method: String, _ path: String, certificate: String?, token: String?, json: String?, contentType: String
    ) async throws -> (status: Int, body: String) {
        var arguments = ["-sS", "--max-time", "20", "--cacert", pki.caBundle, "-w", "\\n%{http_code}", "-X", method]
        if let certificate { arguments += ["--cert", pki.path("\(certificate).pem"), "--key", pki.path("\(certificate).key")] }
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let json { arguments += ["-H", "Content-Type: \(contentType)", "--data-binary", json] }
        arguments.append("https://127.0.0.1:\(boundPort.value.withLock { $0 })\(path)")
        let result = try await ToolRunner.run("curl", arguments, timeout: .seconds(30))
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n"))
    }
}

/// Index-scan counts, for the login tests that check every attempt runs the same lookups.
enum IndexScans {
    /// `idx_scan` of table `schema.table` in `database` once it has stopped moving (and moved past
    /// `after`).
    static func stable(_ database: TestDatabase, schema: String, table: String, after: Int? = nil) async throws -> Int {
        var last = -1
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            let value = try await database.withPool(maxConnections: 1) { pool in
                try await pool.withConnection { connection in
                    try await connection.execute("SELECT pg_stat_clear_snapshot()")
                    return try await connection.query(
                        "SELECT CAST(coalesce(idx_scan, 0) AS int8) FROM pg_stat_user_tables WHERE schemaname = \(schema) AND relname = \(table)"
                    ).singleValue(Int.self)
                }
            }
            if value == last, after.map({ value > $0 }) ?? true { return value }
            last = value
            try await Task.sleep(for: .milliseconds(400))
        }
        return last
    }
}

/// The listener's port, set once it is bound.
final class BoundPort: Sendable {
    let value = Mutex(0)
}
