import Foundation
import LocalSocket
import ServeTestSupport
import Testing

/// `Type=notify` readiness (config/systemd, docs/OPERATIONS.md): a component started with
/// `NOTIFY_SOCKET` sends `READY=1` once everything it serves answers, and `STOPPING=1` when it begins
/// a graceful stop. Here a test-owned datagram socket plays systemd.
@Suite struct ServiceReadinessTests {
    @Test func theDatagramCarriesOneAssignmentPerLine() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = try await NotifySocketDouble.bind(directory + "/notify")
        defer { socket.close() }
        // A newline inside a value cannot smuggle in another assignment.
        try ServiceManagerNotification.ready(status: "up\nSTOPPING=1").send(to: socket.path)
        try ServiceManagerNotification.stopping(status: "stopping").send(to: socket.path)
        #expect(await socket.received(atLeast: 2, within: .seconds(10)) == ["READY=1\nSTATUS=up", "STOPPING=1\nSTATUS=stopping"])
    }

    @Test func withoutAServiceManagerNothingIsSent() throws {
        try ServiceManagerNotification.ready(status: "up").send(to: nil)
    }

    @Test(arguments: [
        ("relative/notify", LocalSocketError.Code.unusable), ("vsock:2:1", .unusable),
        ("/" + String(repeating: "n", count: 108), .unusable), ("/nonexistent/bilet/notify", .unreachable),
    ])
    func anUnusableSocketIsReported(_ socket: String, _ code: LocalSocketError.Code) {
        #expect(throws: LocalSocketError.self) { try ServiceManagerNotification.ready(status: "up").send(to: socket) }
        do {
            try ServiceManagerNotification.ready(status: "up").send(to: socket)
        } catch {
            #expect(error.code == code, "\(error)")
        }
    }

    /// The vault and the gateway, each started with its unit's command line and environment (the
    /// configuration path replaced by this run's): `READY=1` arrives only when the vault's control
    /// and door sockets answer and every gateway listener accepts connections; SIGTERM brings
    /// `STOPPING=1` and a clean exit.
    @Test func eachComponentSaysReadyWhenItServes() async throws {
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        #expect(try run.bilet(["db", "start"]).status == 0)
        defer { _ = try? run.bilet(["db", "stop"]) }

        // The vault: its control socket and door answer when READY=1 arrives.
        let vaultNotify = try await NotifySocketDouble.bind(run.directory.path + "/vault.notify")
        defer { vaultNotify.close() }
        let vault = try start(unit: "bilet-vault.service", run: run, notify: vaultNotify.path, log: "vault.log")
        defer { vault.stopIfRunning() }
        let vaultReady = await vaultNotify.received(atLeast: 1, within: .seconds(120))
        #expect(vaultReady == ["READY=1\nSTATUS=component ready"], "\(Self.log(vault))")
        #expect(await LocalSocketClient.isAnswering(socketPath: run.socket))
        #expect(await LocalSocketClient.isAnswering(socketPath: run.directory.path + "/vault-door/door.sock"))

        // The gateway: every listener accepts when READY=1 arrives.
        let gatewayNotify = try await NotifySocketDouble.bind(run.directory.path + "/gateway.notify")
        defer { gatewayNotify.close() }
        let gateway = try start(unit: "bilet-gateway@.service", run: run, notify: gatewayNotify.path, log: "gateway.log")
        defer { gateway.stopIfRunning() }
        let gatewayReady = await gatewayNotify.received(atLeast: 1, within: .seconds(120))
        #expect(gatewayReady == ["READY=1\nSTATUS=component ready"], "\(Self.log(gateway))")
        let lines = Self.log(gateway).split(separator: "\n").map(String.init)
        let ports = ServeRun.records(lines, message: "gateway listening").compactMap { ($0["port"] as? String).flatMap(Int.init) }
        #expect(ports.count == 4, "the three listeners and the admin listener: \(lines)")
        for port in ports {
            let connected = try BiletProcess.run(
                ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"], environment: [:], executable: URL(fileURLWithPath: "/bin/bash"))
            #expect(connected.status == 0, "port \(port): \(connected.output)")
        }
        // The unit's BILET_LOG_FORMAT=json: every line is one JSON object (the MDWE note aside).
        #expect(
            !lines.isEmpty && lines.allSatisfy { ($0.hasPrefix("{") && $0.hasSuffix("}")) || $0.hasPrefix("PR_SET_MDWE") }, "\(lines)")

        #expect(try gateway.terminate() == 0)
        #expect(await gatewayNotify.received(atLeast: 2, within: .seconds(10)).last == "STOPPING=1\nSTATUS=stopping")
        #expect(try vault.terminate() == 0)
        #expect(await vaultNotify.received(atLeast: 2, within: .seconds(10)).last == "STOPPING=1\nSTATUS=stopping")
    }

    /// Starts `bilet` as `unit`'s `ExecStart=` says, with the unit's `Environment=`, this run's
    /// configuration instead of /etc/bilet/bilet.json, and `NOTIFY_SOCKET` set as systemd sets it;
    /// under the kernel's refusal of writable and executable memory (``denyWriteExecute``).
    private func start(unit name: String, run: ServeRun, notify: String, log: String) throws -> BiletProcess {
        let unit = try ServiceUnit.load(name)
        var arguments = Array(unit.execStart.dropFirst())
        let config = try #require(arguments.firstIndex(of: "--config"))
        arguments[config + 1] = run.config
        return try BiletProcess.start(
            ["-c", Self.denyWriteExecute, BiletProcess.binary.path] + arguments,
            environment: run.environment.merging(unit.environment) { $1 }.merging([ServiceManagerNotification.socketVariable: notify]) { $1 },
            log: run.directory.appendingPathComponent(log), executable: URL(fileURLWithPath: "/usr/bin/python3"))
    }

    /// Sets `PR_SET_MDWE` (refuse memory that is or becomes writable and executable; kept across
    /// `execve`) and executes its arguments: the kernel's own form of what `MemoryDenyWriteExecute=yes`
    /// enforces with seccomp, so a Swift runtime that needed such memory would fail this test. A kernel
    /// older than 6.3 lacks it: the line says so and the component runs without it.
    static let denyWriteExecute = """
        import ctypes, os, sys
        if ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0:
            print("PR_SET_MDWE is not supported by this kernel", file=sys.stderr, flush=True)
        os.execv(sys.argv[1], sys.argv[1:])
        """

    private static func log(_ process: BiletProcess) -> String { (try? String(contentsOf: process.log, encoding: .utf8)) ?? "" }

    private static func directory() throws -> String {
        let directory = "/tmp/bilet-notify-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }
}
