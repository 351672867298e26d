import ArgumentParser
import Foundation

/// The idle connections of `bilet-bench soak`: ``SoakClient/idleHolder`` processes, each holding
/// its share of the connections to the workstations' listener with the development workstation
/// certificate, until ``stop()``.
final class SoakIdleHolders: @unchecked Sendable {
    /// What the holders counted over the run.
    struct Outcome {
        /// Connections open when the holders were told to close them.
        let open: Int
        /// Connections the gateway ended during the run (each opened again a second later).
        let dropped: Int
        /// Connections opened again after a drop.
        let reopened: Int
    }

    private let processes: [(process: Process, stdin: Pipe, output: URL)]
    /// Connections open once every holder had tried all of its share.
    let held: Int
    /// Connections that could not be opened at all.
    let failed: Int

    private init(processes: [(process: Process, stdin: Pipe, output: URL)], held: Int, failed: Int) {
        self.processes = processes
        self.held = held
        self.failed = failed
    }

    /// Starts `clients` holders for `connections` connections in all and waits until each has
    /// tried its share (at most 15 minutes).
    static func start(platform: TestTakingBenchPlatform, connections: Int, clients: Int) async throws -> SoakIdleHolders {
        guard connections > 0 else { return SoakIdleHolders(processes: [], held: 0, failed: 0) }
        let script = platform.file("idle.py")
        try SoakClient.idleHolder.write(to: script, atomically: true, encoding: .utf8)
        var processes: [(process: Process, stdin: Pipe, output: URL)] = []
        for index in 0..<clients {
            let share = connections / clients + (index < connections % clients ? 1 : 0)
            guard share > 0 else { continue }
            let output = platform.file("idle-\(index).out")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [
                script.path, "127.0.0.1", "\(platform.ports["workstations"] ?? 0)", "\(share)",
                platform.certs + "/clients/workstation.pem", platform.certs + "/clients/workstation.key",
            ]
            let stdin = Pipe()
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = stdin
            try process.run()
            processes.append((process, stdin, output))
        }
        let deadline = ContinuousClock.now + .seconds(900)
        var ready: [Substring] = []
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            let reports = processes.map { (try? String(contentsOf: $0.output, encoding: .utf8)) ?? "" }
            ready = reports.compactMap { $0.split(separator: "\n").first { $0.hasPrefix("READY") } }
            if ready.count == processes.count { break }
            if let stopped = zip(reports, processes).first(where: { !$0.1.process.isRunning && !$0.0.contains("READY") }) {
                throw ValidationError("an idle-connection holder stopped: \(stopped.0.suffix(1000))")
            }
        }
        guard ready.count == processes.count else { throw ValidationError("the idle connections were not all tried within 15 minutes") }
        return SoakIdleHolders(
            processes: processes, held: ready.map { Self.field("open", $0) }.reduce(0, +), failed: ready.map { Self.field("failed", $0) }.reduce(0, +))
    }

    /// Tells every holder to close its connections and waits for them (at most 2 minutes).
    func stop() async -> Outcome {
        for entry in processes {
            try? entry.stdin.fileHandleForWriting.write(contentsOf: Data("close\n".utf8))
            try? entry.stdin.fileHandleForWriting.close()
        }
        for _ in 0..<1200 where processes.contains(where: { $0.process.isRunning }) { try? await Task.sleep(for: .milliseconds(100)) }
        for entry in processes where entry.process.isRunning { entry.process.terminate() }
        let finals = processes.compactMap { entry in
            ((try? String(contentsOf: entry.output, encoding: .utf8)) ?? "").split(separator: "\n").first { $0.hasPrefix("FINAL") }
        }
        // a holder without its final line lost track of its connections: count them all as dropped
        let missing = processes.count - finals.count
        return Outcome(
            open: finals.map { Self.field("open", $0) }.reduce(0, +),
            dropped: finals.map { Self.field("dropped", $0) }.reduce(0, +) + missing * max(1, held / max(1, processes.count)),
            reopened: finals.map { Self.field("reopened", $0) }.reduce(0, +))
    }

    /// `name=<integer>` of a holder's line.
    static func field(_ name: String, _ line: Substring) -> Int {
        line.split(separator: " ").first { $0.hasPrefix("\(name)=") }.flatMap { Int($0.dropFirst(name.count + 1)) } ?? 0
    }
}
