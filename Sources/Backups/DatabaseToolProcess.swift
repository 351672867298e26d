import Foundation
import PostgreSQL
import Storage
import Vault

/// `pg_dump` or `pg_restore` as a child process whose dump flows through a pipe, so the plaintext
/// dump never touches the disk: `pg_dump` writes into the backup writer, the backup reader writes
/// into `pg_restore`.
///
/// The program's own messages go to a private temporary file and are never repeated in an error
/// (they can quote the database's rows); an error names the program and its exit status only.
final class DatabaseToolProcess: @unchecked Sendable {
    private let process = Process()
    private let pipe = Pipe()
    private let messages: URL
    private let name: String

    /// Starts `program` (from ``PostgresBinaries``) with `arguments`, connecting with
    /// `configuration` through libpq's environment variables only (``environment(for:)``).
    /// - Parameter feeding: the pipe is the program's standard input (restore) rather than its
    ///   standard output (dump).
    init(_ program: String, _ arguments: [String], configuration: PostgresConfiguration, feeding: Bool) throws(BackupError) {
        name = program
        let binaries: PostgresBinaries
        do {
            binaries = try PostgresBinaries.locate()
        } catch {
            throw .databaseTool("\(program) was not found")
        }
        messages = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-\(program)-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: messages.path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let messageHandle = FileHandle(forWritingAtPath: messages.path)
        else { throw .io("cannot create a temporary file for \(program)'s messages") }
        process.executableURL = URL(fileURLWithPath: binaries.directory + "/" + program)
        let invocation = try Self.invocation(arguments, configuration: configuration)
        process.arguments = invocation.arguments
        process.environment = invocation.environment
        if feeding {
            process.standardInput = pipe
            process.standardOutput = messageHandle
        } else {
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = pipe
        }
        process.standardError = messageHandle
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(at: messages)
            throw .databaseTool("\(program) could not be started")
        }
        try? messageHandle.close()
    }

    /// The child's arguments and environment: `arguments` as given, and this process's environment
    /// with `configuration` in libpq's variables (connection string, overrides and password alike),
    /// which win over any inherited. No `--dbname`: nothing of the connection (a password in a URL
    /// above all) shows in the child's command line.
    static func invocation(
        _ arguments: [String], configuration: PostgresConfiguration
    ) throws(BackupError) -> (arguments: [String], environment: [String: String]) {
        let connection: [String: String]
        do {
            connection = try configuration.libpqEnvironment()
        } catch {
            throw .databaseTool("the database connection cannot be passed to PostgreSQL's programs (\(error.code))")
        }
        return (arguments, ProcessInfo.processInfo.environment.merging(connection) { _, configured in configured })
    }

    /// The dump's next bytes (at most `maximum`); no bytes at the end, once the program has exited
    /// successfully. Blocks.
    ///
    /// - Throws: ``BackupError/databaseTool(_:)`` when the program failed: the backup being
    ///   written is then removed, so a partial dump never looks complete.
    func read(_ maximum: Int) throws(BackupError) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = Array(try pipe.fileHandleForReading.read(upToCount: maximum) ?? Data())
        } catch {
            throw .databaseTool("cannot read \(name)'s output")
        }
        if bytes.isEmpty { try finish() }
        return bytes
    }

    /// Gives the program the next bytes of the dump. Blocks.
    func write(_ bytes: [UInt8]) throws(BackupError) {
        do {
            try pipe.fileHandleForWriting.write(contentsOf: bytes)
        } catch {
            throw .databaseTool("\(name) stopped reading its input")
        }
    }

    /// Closes the program's input (if it is fed), waits for it to exit and checks its status.
    func finish() throws(BackupError) {
        try? pipe.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: messages)
        guard process.terminationStatus == 0 else {
            throw .databaseTool("\(name) failed (exit status \(process.terminationStatus))")
        }
    }

    /// Stops the program if it still runs (after a failure elsewhere) and removes its messages.
    func abandon() {
        if process.isRunning { process.terminate() }
        try? pipe.fileHandleForWriting.close()
        try? pipe.fileHandleForReading.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: messages)
    }
}
