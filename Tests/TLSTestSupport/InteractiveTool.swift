import Foundation

/// A tool kept running with an open stdin, e.g. `openssl s_client` holding a keep-alive
/// connection. Output goes to a file that ``output`` reads; ``stop()`` terminates it (then kills
/// it) and must be called (tests call it in `defer`).
public final class InteractiveTool: @unchecked Sendable {
    private let process: Process
    private let stdin: Pipe
    private let scratch: URL
    private let outURL: URL

    /// Starts `tool` with `arguments`.
    public init(_ tool: String, _ arguments: [String]) throws {
        self.scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-itool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.scratch, withIntermediateDirectories: true)
        self.outURL = self.scratch.appendingPathComponent("out")
        FileManager.default.createFile(atPath: self.outURL.path, contents: nil)
        self.process = Process()
        self.process.executableURL = URL(fileURLWithPath: try ToolRunner.locate(tool))
        self.process.arguments = arguments
        self.stdin = Pipe()
        let out = try FileHandle(forWritingTo: self.outURL)
        self.process.standardInput = self.stdin
        self.process.standardOutput = out
        self.process.standardError = out
        try self.process.run()
        try out.close()
    }

    /// Everything the tool printed so far (stdout and stderr).
    public var output: String { (try? String(contentsOf: self.outURL, encoding: .utf8)) ?? "" }

    /// Whether it still runs.
    public var isRunning: Bool { self.process.isRunning }

    /// Writes to its stdin.
    public func send(_ text: String) {
        try? self.stdin.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// Waits (bounded) until the output contains `text` `count` times; returns whether it did.
    public func waitForOutput(_ text: String, count: Int = 1, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if self.output.components(separatedBy: text).count - 1 >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Waits (bounded) for the tool to exit on its own; returns whether it did.
    public func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while self.process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return !self.process.isRunning
    }

    /// Terminates the tool if it still runs, and removes its files.
    public func stop() async {
        try? self.stdin.fileHandleForWriting.close()
        if self.process.isRunning {
            self.process.terminate()
            if !(await self.waitForExit(timeout: .seconds(2))) { kill(self.process.processIdentifier, SIGKILL) }
        }
        self.process.waitUntilExit()
        try? FileManager.default.removeItem(at: self.scratch)
    }
}
