import ArgumentParser
import Foundation
import PostgreSQL

/// The `bilet serve` that `bilet-bench test-taking` measures: a throwaway directory with a
/// development PKI, a configuration with a workstations' and a pupils' listener on free ports, a
/// private PostgreSQL cluster, three staff accounts, and the vault initialised.
final class TestTakingBenchPlatform: @unchecked Sendable {
    /// The synthetic password of the bench's staff accounts.
    static let staffPassword = "synthetic bench pass phrase 1"

    let directory: URL
    let poolSize: Int
    private(set) var ports: [String: Int] = [:]
    private(set) var accounts: [String: String] = [:]
    private var serveProcess: Process?

    var certs: String { directory.path + "/certs" }
    var config: String { directory.path + "/bilet.json" }
    var socket: String { directory.path + "/vault/control.sock" }
    var servePID: Int32 { serveProcess?.processIdentifier ?? 0 }

    /// The processes measured: the serve's tree and the private cluster's postmaster (which
    /// `pg_ctl` detaches from it), read from its `postmaster.pid`.
    var measuredRoots: [Int32] {
        var roots = [servePID]
        let enumerator = FileManager.default.enumerator(atPath: directory.path + "/pg")
        while let path = enumerator?.nextObject() as? String {
            guard path.hasSuffix("postmaster.pid"),
                let text = try? String(contentsOfFile: directory.path + "/pg/" + path, encoding: .utf8),
                let pid = text.split(separator: "\n").first.flatMap({ Int32($0.trimmingCharacters(in: .whitespaces)) })
            else { continue }
            roots.append(pid)
        }
        return roots
    }
    /// The `bilet` that the bench runs: the one next to this `bilet-bench` (both are in the build's
    /// bin directory).
    var binary: String {
        URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
            .deletingLastPathComponent().appendingPathComponent("bilet").path
    }

    /// The environment of every `bilet` run: the private cluster here; the per-address rate limit
    /// off and the per-address connection cap above the pupils (every client is 127.0.0.1).
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BILET_") }
        environment.merge([
            "BILET_DATABASE_LOCAL_DIRECTORY": directory.path + "/pg", "BILET_LOG_FORMAT": "json",
            "BILET_AUDIT_CHECKPOINT_DIRECTORY": directory.path + "/checkpoints", "BILET_DATABASE_POOL_SIZE": "\(poolSize)",
            "BILET_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS": "100000", "BILET_GATEWAY_PUPIL_ADDRESS_RATE": "off",
        ]) { $1 }
        return environment
    }

    init(directory: String?, poolSize: Int) throws {
        let url =
            directory.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("bilet-bench-test-taking-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.directory = url
        self.poolSize = poolSize
    }

    func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// The PKI, the configuration and the migrated cluster.
    func prepare() throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("no bilet next to bilet-bench at \(binary); build it in the same configuration first (swift build -c release --product bilet)")
        }
        try bilet(["certs", "dev-setup", "--directory", certs])
        let gateway = certs + "/gateway"
        let json = """
            {"gateway": {"listeners": "workstations@127.0.0.1:0/required,pupils@127.0.0.1:0/none",
                         "certificate": "\(gateway)/server.pem", "private_key": "\(gateway)/server.key",
                         "client_ca_bundle": "\(gateway)/ca-bundle.pem", "crl": "\(gateway)/crl.pem"},
             "vault": {"control_socket": "\(socket)"},
             "ca": {"directory": "\(certs)/ca", "issuing_passphrase_file": "\(certs)/ca/issuing.passphrase"}}
            """
        try json.write(toFile: config, atomically: true, encoding: .utf8)
        try bilet(["db", "migrate", "--config", config])
    }

    /// The staff accounts (school, navigator, methodologist), with the serve running (its cluster).
    func addAccounts() throws {
        for (login, role, organisation, region) in [
            ("bench.school", "school", "bilet://school/77-0001", "77"), ("bench.navigator", "navigator", "bilet://school/77-0001", "77"),
            ("bench.methodologist", "methodologist", "bilet://operator/op-1", nil),
        ] as [(String, String, String, String?)] {
            let output = try bilet(
                ["accounts", "add", "--config", config, "--login", login, "--role", role, "--organisation", organisation, "--password-stdin"]
                    + (region.map { ["--region", $0] } ?? []),
                input: Self.staffPassword + "\n")
            guard let id = output.firstMatch(of: /\(user:(usr_[A-Za-z0-9_-]+)\)/)?.1 else {
                throw ValidationError("accounts add \(login): \(output)")
            }
            accounts[login] = String(id)
        }
    }

    /// Starts `bilet serve` and waits until it is ready; reads the listeners' ports from its log.
    func serve() async throws {
        let log = file("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", config]
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        serveProcess = process
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if text.contains("bilet is ready") {
                for line in text.split(separator: "\n") where line.contains("gateway listening") {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                        let name = object["tls.listener"] as? String, let port = (object["port"] as? String).flatMap(Int.init)
                    else { continue }
                    ports[name] = port
                }
                guard ports["pupils"] != nil, ports["workstations"] != nil else { throw ValidationError("no listener ports in \(log.path)") }
                print("bilet serve ready: workstations :\(ports["workstations"]!), pupils :\(ports["pupils"]!)")
                return
            }
            guard process.isRunning else { throw ValidationError("bilet serve stopped; see \(log.path)") }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ValidationError("bilet serve did not become ready; see \(log.path)")
    }

    /// A master key and the vault initialised (and unsealed) with it.
    func initialiseVault() throws {
        let key = directory.path + "/master.key"
        try bilet(["vault", "keygen", key])
        try bilet(["vault", "init", "--socket", socket, "--key-file", key])
    }

    /// Runs the load client with `arguments`; its output goes to this process's.
    func python(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [file("client.py").path] + arguments
        process.standardInput = FileHandle.nullDevice
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        guard process.terminationStatus == 0 else { throw ValidationError("the load client failed (\(arguments[0]))") }
    }

    /// One integer from the database, as its owner.
    func count(_ sql: SQLStatement) async throws -> Int {
        let owner = try String(contentsOfFile: directory.path + "/pg/owner.password", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let pool = PostgresConnectionPool(
            configuration: PostgresConfiguration(connectionString: "host=\(directory.path)/pg/socket dbname=bilet user=postgres password=\(owner)"),
            maxConnections: 1)
        defer { Task { await pool.shutdown() } }
        return try await pool.query(sql).singleValue(Int.self)
    }

    /// Stops the serve (SIGTERM) and waits for it.
    func stop() {
        guard let process = serveProcess, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    func remove() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `bilet arguments` to completion with `input` on standard input: its output, or an error.
    @discardableResult
    func bilet(_ arguments: [String], input: String? = nil) throws -> String {
        let output = file("bilet-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        let pipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : pipe
        try process.run()
        if let input {
            pipe.fileHandleForWriting.write(Data(input.utf8))
            try pipe.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw ValidationError("bilet \(arguments.prefix(2).joined(separator: " ")) failed: \(text)") }
        return text
    }
}

/// CPU seconds (user + system) of a process tree from /proc, by role: `gateway`, `vault`, … for
/// `bilet serve --component X`, `postgres`, `serve (supervisor)`.
enum ProcessCPU {
    static func tree(of roots: [Int32]) -> [Int32: (label: String, seconds: Double)] {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var parents: [Int32: Int32] = [:]
        var cpu: [Int32: Double] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let parent = Int32(fields[1]), let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            parents[pid] = parent
            cpu[pid] = (user + system) / ticks
        }
        var result: [Int32: (label: String, seconds: Double)] = [:]
        for (pid, seconds) in cpu {
            var ancestor: Int32? = pid
            var depth = 0
            while let current = ancestor, !roots.contains(current), current > 1, depth < 64 {
                ancestor = parents[current]
                depth += 1
            }
            guard let root = ancestor, roots.contains(root) else { continue }
            result[pid] = (label(pid, root: roots[0]), seconds)
        }
        return result
    }

    static func label(_ pid: Int32, root: Int32) -> String {
        if pid == root { return "serve (supervisor)" }
        let raw = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        if let index = arguments.firstIndex(of: "--component"), index + 1 < arguments.count { return arguments[index + 1] }
        if arguments.first?.contains("postgres") == true { return "postgres" }
        let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        return comm.hasPrefix("postgres") ? "postgres" : comm
    }

    /// CPU seconds used between two samples, summed by label (processes that ended in between are missed).
    static func difference(_ after: [Int32: (label: String, seconds: Double)], _ before: [Int32: (label: String, seconds: Double)]) -> [String: Double] {
        var sums: [String: Double] = [:]
        for (pid, sample) in after {
            sums[sample.label, default: 0] += sample.seconds - (before[pid]?.seconds ?? 0)
        }
        return sums
    }
}
