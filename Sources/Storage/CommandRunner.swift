import Foundation

/// Runs a program to completion without blocking a thread, capturing its output in a temporary
/// file (so a chatty program can never fill a pipe and stall).
struct CommandRunner: Sendable {
    struct Outcome: Sendable {
        let status: Int32
        let output: String

        /// The last lines of the output, for error reports.
        var tail: String {
            output.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).joined(separator: "\n")
        }
    }

    /// Runs `executable` with `arguments` in `directory`, stdin from /dev/null.
    static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil
    ) async throws -> Outcome {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("bilet-cmd-\(UUID().uuidString).log").path
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
            let output = FileHandle(forWritingAtPath: outputPath)
        else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer {
            try? output.close()
            try? FileManager.default.removeItem(atPath: outputPath)
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output

        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in
                continuation.resume(returning: finished.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return Outcome(status: status, output: String(decoding: data, as: UTF8.self))
    }
}
