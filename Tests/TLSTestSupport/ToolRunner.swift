import Foundation

/// Runs a real command-line tool (curl, gnutls-cli, openssl, certtool) with a hard time limit.
///
/// Output goes to temporary files, not pipes, so a chatty tool can never block; the process is
/// terminated (then killed) when the limit passes, so no test leaves a process behind.
public struct ToolResult: Sendable {
    /// The exit status, or -1 when the tool was stopped at the time limit.
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// Whether the time limit stopped it.
    public let timedOut: Bool
}

public enum ToolRunner {
    /// Runs `tool` (looked up in /usr/bin, /bin, /usr/sbin) with `arguments`, feeding `input` on stdin.
    public static func run(
        _ tool: String, _ arguments: [String], input: String? = nil, timeout: Duration = .seconds(20),
        environment: [String: String]? = nil
    ) async throws -> ToolResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        let inURL = scratch.appendingPathComponent("in")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: inURL.path, contents: Data((input ?? "").utf8))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.locate(tool))
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let stdin = try FileHandle(forReadingFrom: inURL)
        defer {
            try? out.close()
            try? err.close()
            try? stdin.close()
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()

        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var timedOut = false
        while process.isRunning {
            if clock.now >= deadline {
                timedOut = true
                process.terminate()
                let grace = clock.now + .seconds(2)
                while process.isRunning && clock.now < grace { try? await Task.sleep(for: .milliseconds(20)) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        process.waitUntilExit()
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return ToolResult(status: timedOut ? -1 : process.terminationStatus, stdout: stdout, stderr: stderr, timedOut: timedOut)
    }

    /// The absolute path of a tool.
    public static func locate(_ tool: String) throws -> String {
        for directory in ["/usr/bin", "/bin", "/usr/sbin", "/usr/local/bin"] {
            let path = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw ToolMissing(tool: tool)
    }

    /// Whether a tool is installed.
    public static func has(_ tool: String) -> Bool { (try? locate(tool)) != nil }
}

/// A required tool is not installed.
public struct ToolMissing: Error, CustomStringConvertible {
    public let tool: String
    public var description: String { "\(tool) is not installed" }
}
