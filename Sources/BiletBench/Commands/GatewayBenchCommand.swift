import ArgumentParser
import Foundation
import Gateway
import GnuTLS
import Logging
import Monitoring
import NIOCore
import NIOPosix
import ServiceLifecycle
import TLS

/// `bilet-bench gateway`: measures the TLS gateway on loopback with real clients, the way
/// `scripts/bench/nginx-mtls-baseline.sh` measures nginx, so the two can be compared side by side.
///
/// Uses that script's PKI (run the script first; it leaves `$BASE/pki`): `ca.pem`, `server.pem`/`.key`,
/// `client.pem`/`.key`/`-bundle.pem`, `crl.pem` (10,000 synthetic entries plus one revoked client).
/// Clients: `openssl s_time -new/-reuse` (full and resumed mTLS handshakes), `ab -k -E` (keep-alive
/// requests on `/v1/whoami`), and a Python asyncio client holding idle TLS connections for the
/// memory figure. Server CPU per operation is this process's own user+system time (the clients
/// are other processes). Run it from a release build.
struct GatewayBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Measures full and resumed mTLS handshakes, keep-alive requests, CRL cost and memory per idle connection.")

    @Option(help: "The PKI directory made by nginx-mtls-baseline.sh.")
    var pki: String = "/tmp/mtls-bench/pki"

    @Option(help: "Seconds per s_time run.")
    var seconds: Int = 10

    @Option(help: "Runs per measurement; the median is reported.")
    var runs: Int = 3

    @Option(help: "Concurrent ab clients.")
    var concurrency: Int = 50

    @Option(help: "Requests per keep-alive ab run.")
    var keepAliveRequests: Int = 200_000

    @Option(help: "Concurrent streams per h2load connection.")
    var streams: Int = 10

    @Option(help: "Requests per h2load run.")
    var http2Requests: Int = 200_000

    @Option(help: "Idle connections to hold for the memory figure (0 skips it).")
    var idleConnections: Int = 10_000

    @Option(help: "Protocol of the idle connections: h1, h2 or both.")
    var idleProtocol: String = "h1"

    @Option(help: "Client processes opening the idle connections.")
    var idleClients: Int = 3

    @Option(help: "Fresh handshakes timed with nothing held and with the idle connections held.")
    var idleProbes: Int = 200

    @Option(help: "Port to listen on (127.0.0.1).")
    var port: Int = 8453

    @Flag(help: "Count handshakes and requests into the gateway's metrics (Monitoring), as `bilet serve` does with an admin listener.")
    var metrics = false

    @Option(help: "Only run the measurements whose name starts with this (e.g. resumed-tls13).")
    var only: String?

    @Flag(inversion: .prefixedNo, help: "Run Swift concurrency on the NIO event loops (no thread hops), as `bilet serve` should.")
    var eventLoopExecutor: Bool = true

    func run() async throws {
        if self.eventLoopExecutor {
            let installed = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
            print("Swift concurrency on the NIO event loops: \(installed)")
        }
        var logger = Logger(label: "bilet.bench")
        logger.logLevel = .warning
        let bench = GatewayBench(command: self, logger: logger)
        try await bench.run()
    }
}

/// The benchmark's steps.
private struct GatewayBench {
    let command: GatewayBenchCommand
    let logger: Logger

    struct Row {
        let metric: String
        let rates: [Double]
        let cpuMicros: [Double]
        let note: String
    }

    func file(_ name: String) -> String { "\(command.pki)/\(name)" }

    func run() async throws {
        for name in ["ca.pem", "server.pem", "server.key", "client.pem", "client.key", "client-bundle.pem", "crl.pem"] {
            guard FileManager.default.fileExists(atPath: self.file(name)) else {
                throw ValidationError("\(self.file(name)) is missing; run scripts/bench/nginx-mtls-baseline.sh first")
            }
        }
        var rows: [Row] = []
        func wanted(_ metric: String) -> Bool { command.only.map { metric.hasPrefix($0) } ?? true }
        // without a CRL
        try await self.withGateway(crl: nil) { port in
            for (metric, arguments) in [
                ("full-tls13", ["-new", "-tls1_3"]), ("full-tls12", ["-new", "-tls1_2"]),
                ("resumed-tls13", ["-reuse", "-tls1_3"]), ("resumed-tls12", ["-reuse", "-tls1_2"]),
            ] where wanted(metric) {
                rows.append(try await self.sTime(metric, port: port, arguments: arguments))
            }
            if wanted("keepalive") { rows.append(try await self.ab("keepalive-c\(command.concurrency)", port: port)) }
            if command.idleConnections > 0 && wanted("memory") {
                let idle = try await IdleConnectionsBench.rows(
                    port: port, connections: command.idleConnections, protocols: command.idleProtocol, clients: command.idleClients,
                    probes: command.idleProbes, certificate: self.file("client.pem"), privateKey: self.file("client.key"))
                rows += idle.map { Row(metric: $0.metric, rates: [$0.kibPerConnection], cpuMicros: [], note: $0.note) }
            }
        }
        // the same TLS layer and HTTP codec without the gateway's HTTP machinery: a reference
        if wanted("floor") { rows.append(try await self.floor()) }
        // HTTP/2 as the pupils' listener serves it (no client certificate), as nginx's http2 mode
        if wanted("h2") {
            try await self.withGateway(crl: nil, port: 0, clientAuthentication: .none) { port in
                rows.append(try await self.h2load("h2load-c\(command.concurrency)-m\(command.streams)", port: port))
            }
        }
        // the verification step on its own (CPU time of this thread, insensitive to other load)
        if wanted("verify") {
            rows.append(contentsOf: try self.verificationCost())
        }
        // the 10,000-entry CRL against none: two gateways in this process, measured in alternation
        // (while one is measured the other is idle), so that load from elsewhere hits both alike
        if wanted("crl10k") {
            try await self.withGateway(crl: nil, port: 0) { plain in
                try await self.withGateway(crl: self.file("crl.pem"), port: 0) { withCRL in
                    var without: [Row] = []
                    var with: [Row] = []
                    for _ in 0..<command.runs {
                        without.append(try await self.sTime("no-crl full-tls13", port: plain, arguments: ["-new", "-tls1_3"], runs: 1))
                        with.append(try await self.sTime("crl10k full-tls13", port: withCRL, arguments: ["-new", "-tls1_3"], runs: 1))
                    }
                    rows.append(Row(metric: "alternating: no CRL full-tls13", rates: without.flatMap(\.rates), cpuMicros: without.flatMap(\.cpuMicros), note: ""))
                    rows.append(Row(metric: "alternating: 10k-entry CRL full-tls13", rates: with.flatMap(\.rates), cpuMicros: with.flatMap(\.cpuMicros), note: ""))
                }
            }
        }
        self.report(rows)
    }

    // MARK: The gateway under test

    func withGateway(
        crl: String?, port: Int? = nil, clientAuthentication: ClientAuthentication = .required, _ body: (Int) async throws -> Void
    ) async throws {
        let registry = ConnectionRegistry()
        let store = try self.material(crl: crl, registry: registry)
        let listener = self.listenerConfiguration(port: port ?? command.port, clientAuthentication: clientAuthentication)
        let router = Gateway.makeRouter()
        let metrics = command.metrics ? GatewayMetrics(listeners: [listener.name]) : nil
        let gateway = try Gateway(
            listeners: [listener], material: store, registry: registry, router: router, watchesSIGHUP: false,
            refusalObserver: metrics?.handshakes, requestObserver: metrics?.requestCounting, logger: self.logger)
        let bound = BoundPort()
        let group = ServiceGroup(
            configuration: .init(
                services: gateway.services { _, port in bound.set(port) }.map { .init(service: $0) }, logger: self.logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        for _ in 0..<500 where bound.get() == 0 { try await Task.sleep(for: .milliseconds(10)) }
        guard bound.get() != 0 else { throw ValidationError("the gateway did not start") }
        print("gateway on 127.0.0.1:\(bound.get()) (CRL: \(store.current.revocations.count) entries)")
        do {
            try await body(bound.get())
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }

    /// The bench PKI's server key pair and client CA, with `crl` if given.
    func material(crl: String?, registry: ConnectionRegistry) throws -> TLSMaterialStore {
        let files = TLSMaterialFiles(
            serverKeyPairs: [.init(certificateChain: self.file("server.pem"), privateKey: self.file("server.key"))],
            clientCABundle: self.file("ca.pem"), revocationList: crl)
        return try TLSMaterialStore(files: files, registry: registry, logger: self.logger)
    }

    /// The one listener the benches serve.
    func listenerConfiguration(port: Int, clientAuthentication: ClientAuthentication) -> TLSListenerConfiguration {
        // Every bench client connects from loopback: the per-address cap must not apply here.
        let most = max(50_000, command.idleConnections + 1_000)
        let limits = ListenerLimits(idleTimeout: .seconds(600), maximumConnections: most, maximumConnectionsPerAddress: most)
        return TLSListenerConfiguration(
            name: "bench", host: "127.0.0.1", port: port, clientAuthentication: clientAuthentication, limits: limits)
    }

    /// Keep-alive requests on ``KeepAliveFloor``: the same TLS layer and HTTP codec without the
    /// gateway's HTTP machinery.
    func floor() async throws -> Row {
        let registry = ConnectionRegistry()
        let listener = try TLSListener(
            configuration: self.listenerConfiguration(port: 0, clientAuthentication: .required),
            material: try self.material(crl: nil, registry: registry), registry: registry, logger: self.logger)
        var row: Row?
        try await KeepAliveFloor.with(listener: listener) { port in
            print("keep-alive floor on 127.0.0.1:\(port)")
            row = try await self.ab("floor-keepalive-c\(command.concurrency)", port: port)
        }
        guard let row else { throw ValidationError("the floor server did not run") }
        return row
    }

    /// Client chain verification with and without the 10,000-entry CRL, uncached (the full policy
    /// chain: signature, dates, usage, revocation lookup, identity) and cached.
    func verificationCost() throws -> [Row] {
        var rows: [Row] = []
        let der = try X509Certificate.list(pem: Array(FileManager.default.contents(atPath: self.file("client.pem")) ?? Data())).map(\.der)
        for crl in [nil, self.file("crl.pem")] {
            let store = try TLSMaterialStore(
                files: TLSMaterialFiles(
                    serverKeyPairs: [.init(certificateChain: self.file("server.pem"), privateKey: self.file("server.key"))],
                    clientCABundle: self.file("ca.pem"), revocationList: crl),
                registry: ConnectionRegistry(), logger: self.logger)
            let material = store.current
            let chain = try der.map { try X509Certificate(der: $0) }
            let label = crl == nil ? "no CRL" : "\(material.revocations.count)-entry CRL"
            let iterations = 3000
            var uncached: [Double] = []
            var cached: [Double] = []
            for _ in 0..<command.runs {
                let start = ThreadCPUTime.now()
                for _ in 0..<iterations {
                    guard case .accepted = material.verifier.verify(chain: chain, authentication: .required) else {
                        throw ValidationError("the bench client certificate was refused")
                    }
                }
                uncached.append((ThreadCPUTime.now() - start) * 1e6 / Double(iterations))
                let cachedStart = ThreadCPUTime.now()
                for _ in 0..<iterations { _ = material.verify(chain: der, authentication: .required) }
                cached.append((ThreadCPUTime.now() - cachedStart) * 1e6 / Double(iterations))
            }
            rows.append(Row(metric: "verify client chain, uncached, \(label)", rates: uncached.map { 1e6 / $0 }, cpuMicros: uncached, note: ""))
            rows.append(Row(metric: "verify client chain, cached, \(label)", rates: cached.map { 1e6 / $0 }, cpuMicros: cached, note: ""))
            print("verification (\(label)): uncached \(uncached.map { String(format: "%.1f", $0) }) us, cached \(cached.map { String(format: "%.2f", $0) }) us")
        }
        return rows
    }

    // MARK: Clients

    func sTime(_ metric: String, port: Int, arguments: [String], runs: Int? = nil) async throws -> Row {
        var rates: [Double] = []
        var cpu: [Double] = []
        var note = ""
        for _ in 0..<(runs ?? command.runs) {
            let before = CPUTime.now()
            let start = ContinuousClock.now
            let output = try await Tool.run(
                "openssl",
                ["s_time", "-connect", "127.0.0.1:\(port)", "-cert", self.file("client.pem"), "-key", self.file("client.key"),
                 "-www", "/healthz", "-time", "\(command.seconds)"] + arguments)
            let elapsed = Self.seconds(ContinuousClock.now - start)
            let used = CPUTime.now() - before
            let connections = Self.firstNumber(in: output, before: " connections in") ?? 0
            // s_time prints one mark per connection: `r` for a resumed one
            let resumed = output.split(separator: "\n")
                .filter { !$0.contains("connections") && !$0.contains("Collecting") && !$0.contains("timing") && !$0.contains("starting") }
                .joined().filter { $0 == "r" }.count
            rates.append(Double(connections) / elapsed)
            cpu.append(connections > 0 ? used * 1e6 / Double(connections) : .nan)
            note = "\(connections) connections, \(resumed) resumed"
            print("\(metric): \(connections) connections (\(resumed) resumed), \(Int(Double(connections) / elapsed))/s, server \(Int(cpu.last!)) us/op")
            if ProcessInfo.processInfo.environment["BILET_BENCH_DEBUG"] != nil { print(output) }
        }
        return Row(metric: metric, rates: rates, cpuMicros: cpu, note: note)
    }

    /// A request load client's runs: its rate, and this process's CPU per completed request.
    struct LoadRun {
        let requestsPerSecond: Double
        let completed: Double
        let note: String
    }

    /// Runs `tool` with `arguments` ``GatewayBenchCommand/runs`` times, `parse` reading each output.
    func loadRuns(_ metric: String, tool: String, arguments: [String], parse: (String) -> LoadRun) async throws -> Row {
        var rates: [Double] = []
        var cpu: [Double] = []
        var note = ""
        for _ in 0..<command.runs {
            let before = CPUTime.now()
            let output = try await Tool.run(tool, arguments)
            let used = CPUTime.now() - before
            let run = parse(output)
            rates.append(run.requestsPerSecond)
            cpu.append(run.completed > 0 ? used * 1e6 / run.completed : .nan)
            note = run.note
            print("\(metric): \(Int(run.requestsPerSecond)) req/s, server \(String(format: "%.1f", cpu.last!)) us/req (\(note))")
        }
        return Row(metric: metric, rates: rates, cpuMicros: cpu, note: note)
    }

    /// `ab -k` on `/v1/whoami` with the client certificate (keep-alive HTTP/1.x).
    func ab(_ metric: String, port: Int) async throws -> Row {
        try await self.loadRuns(
            metric, tool: "ab",
            arguments: [
                "-q", "-l", "-k", "-n", "\(command.keepAliveRequests)", "-c", "\(command.concurrency)", "-E",
                self.file("client-bundle.pem"), "https://127.0.0.1:\(port)/v1/whoami",
            ]
        ) { output in
            let complete = Self.value(of: "Complete requests:", in: output) ?? 0
            let failed = Self.value(of: "Failed requests:", in: output) ?? -1
            let non2xx = Self.value(of: "Non-2xx responses:", in: output) ?? 0
            return LoadRun(
                requestsPerSecond: Self.value(of: "Requests per second:", in: output) ?? 0, completed: complete,
                note: "complete=\(Int(complete)) failed=\(Int(failed)) non2xx=\(Int(non2xx))")
        }
    }

    /// h2load on `/healthz` over HTTP/2 (ALPN h2), without a client certificate.
    func h2load(_ metric: String, port: Int) async throws -> Row {
        try await self.loadRuns(
            metric, tool: "h2load",
            arguments: [
                "-n", "\(command.http2Requests)", "-c", "\(command.concurrency)", "-m", "\(command.streams)",
                "https://127.0.0.1:\(port)/healthz",
            ]
        ) { output in
            let lines = output.split(separator: "\n")
            let finished = lines.first { $0.hasPrefix("finished in") }?.split(separator: " ")
            let requests = lines.first { $0.hasPrefix("requests:") }?.split(separator: " ")
            let succeeded = requests.flatMap { $0.count > 7 ? Double($0[7]) : nil } ?? 0
            let failed = requests.flatMap { $0.count > 9 ? Double($0[9]) : nil } ?? -1
            let negotiated = lines.first { $0.hasPrefix("Application protocol:") } ?? ""
            return LoadRun(
                requestsPerSecond: finished.flatMap { $0.count > 3 ? Double($0[3]) : nil } ?? 0, completed: succeeded,
                note: "succeeded=\(Int(succeeded)) failed=\(Int(failed)) \(negotiated)")
        }
    }

    // MARK: Report

    func report(_ rows: [Row]) {
        print("\n| metric | median ops/s | runs | median server CPU µs/op | note |")
        print("|---|---:|---|---:|---|")
        for row in rows {
            let rates = row.rates.map { String(format: "%.0f", $0) }.joined(separator: " ")
            let cpu = row.cpuMicros.isEmpty ? "" : String(format: "%.0f", Self.median(row.cpuMicros))
            let rate = row.metric.hasPrefix("memory") ? String(format: "%.1f KiB", row.rates[0]) : String(format: "%.0f", Self.median(row.rates))
            print("| \(row.metric) | \(rate) | \(rates) | \(cpu) | \(row.note) |")
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.filter { !$0.isNaN }.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func firstNumber(in text: String, before marker: String) -> Int? {
        guard let range = text.range(of: marker) else { return nil }
        let prefix = text[..<range.lowerBound]
        let digits = prefix.reversed().prefix { $0.isNumber }
        return Int(String(digits.reversed()))
    }

    static func value(of label: String, in text: String) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(label) }) else { return nil }
        return line.dropFirst(label.count).split(separator: " ").first.flatMap { Double($0) }
    }

}

/// The port the gateway bound.
private final class BoundPort: @unchecked Sendable {
    private let lock = NSLock()
    private var port = 0
    func set(_ value: Int) { self.lock.withLock { self.port = value } }
    func get() -> Int { self.lock.withLock { self.port } }
}

/// This process's CPU time (user + system), in seconds.
private enum CPUTime {
    static func now() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }
}

/// The calling thread's CPU time, in seconds.
private enum ThreadCPUTime {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// Runs a client tool to completion and returns stdout and stderr together: `tool` is a path, or
/// the name of a program in /usr/bin.
enum Tool {
    static func run(_ tool: String, _ arguments: [String]) async throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-bench-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? tool : "/usr/bin/\(tool)")
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        try handle.close()
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }
}
