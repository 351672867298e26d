public import Foundation

/// The built `bilet` binary, run as a child process with output going to a file (a pipe would
/// be inherited by the PostgreSQL server that `bilet` starts and never reach end-of-file).
///
/// `@unchecked Sendable`: `Process` is a reference the harness only reads after starting it.
public struct BiletProcess: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    public let process: Process
    public let log: URL

    /// The package root.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public static var binary: URL {
        for candidate in [".build/debug/bilet", ".build/release/bilet"] {
            let url = root.appendingPathComponent(candidate)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return root.appendingPathComponent(".build/debug/bilet")
    }

    /// Starts `executable` (the `bilet` binary unless said otherwise) with output going to `log`.
    public static func start(
        _ arguments: [String], environment: [String: String], log: URL, executable: URL = binary
    ) throws -> BiletProcess {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BILET_") }
        merged.merge(environment) { _, new in new }
        process.environment = merged
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        return BiletProcess(process: process, log: log)
    }

    /// Runs to completion (bounded to two minutes) and returns the exit status and all output.
    /// `executable` is the `bilet` binary unless said otherwise (`/usr/bin/curl` in the gateway test).
    public static func run(
        _ arguments: [String], environment: [String: String], executable: URL = binary
    ) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-run-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let child = try start(arguments, environment: environment, log: log, executable: executable)
        let deadline = Date().addingTimeInterval(120)
        while child.process.isRunning && Date() < deadline { usleep(20_000) }
        if child.process.isRunning {
            child.process.terminate()
            throw Failure(description: "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) did not finish in time")
        }
        return (child.process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }

    /// Polls the output until a line contains `text`; returns all lines so far.
    public func waitForLine(containing text: String, timeout: Duration) async throws -> [String] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            let lines = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
            if lines.contains(where: { $0.contains(text) }) { return lines }
            guard process.isRunning else { throw Failure(description: "bilet exited early:\n" + lines.joined(separator: "\n")) }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw Failure(description: "no line containing \(text) within \(timeout)")
    }

    /// Stops the process if it still runs: for a `defer`, so a test that fails half-way leaves no
    /// `bilet serve` (and its PostgreSQL) behind; a test that checks the exit status calls
    /// ``terminate()`` itself.
    public func stopIfRunning() {
        if process.isRunning { _ = try? terminate() }
    }

    /// Sends SIGTERM and waits (bounded) for the exit status.
    public func terminate() throws -> Int32 {
        process.terminate()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else { throw Failure(description: "bilet did not stop after SIGTERM") }
        return process.terminationStatus
    }
}
