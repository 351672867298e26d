import Foundation
import PostgreSQL
import Storage
import Vault

/// `pg_dump` or `pg_restore` as a child process whose dump flows through a pipe, so the plaintext
/// dump never touches the disk: `pg_dump` writes into the backup writer, the backup reader writes
/// into `pg_restore`. Started by ``CommandRunner`` (`posix_spawn`, every other descriptor closed),
/// with the connection in its environment only.
///
/// The program's own messages go to a private temporary file (0600) and are never repeated in an
/// error (they can quote the database's rows); an error names the program and its exit status only.
final class DatabaseToolProcess: @unchecked Sendable {
    private let child: PipedChild
    private let messages: String
    private let name: String

    /// Starts `program` (from ``PostgresBinaries``) with `arguments`, connecting with
    /// `configuration` through libpq's environment variables only (``invocation(_:configuration:)``).
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
        let invocation = try Self.invocation(arguments, configuration: configuration)
        messages = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-\(program)-\(UUID().uuidString).log").path
        do {
            child = try CommandRunner.spawnPiped(
                binaries.directory + "/" + program, invocation.arguments, environment: invocation.environment,
                direction: feeding ? .feeding : .draining, messagesPath: messages)
        } catch {
            try? FileManager.default.removeItem(atPath: messages)
            throw .databaseTool("\(program) could not be started")
        }
    }

    /// The child's arguments and environment: `arguments` as given, and of this process's
    /// environment only what a program needs (``ChildEnvironment``: no other credentials, no
    /// `BILET_…`, no inherited `PG…`), with `configuration` in libpq's variables (connection string,
    /// overrides and password alike). No `--dbname`: nothing of the connection (a password in a URL
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
        return (arguments, ChildEnvironment.filtered(ProcessInfo.processInfo.environment).merging(connection) { _, configured in configured })
    }

    /// The dump's next bytes (at most `maximum`); no bytes at the end, once the program has exited
    /// successfully. Blocks.
    ///
    /// - Throws: ``BackupError/databaseTool(_:)`` when the program failed: the backup being
    ///   written is then removed, so a partial dump never looks complete.
    func read(_ maximum: Int) throws(BackupError) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try child.read(upToCount: maximum)
        } catch {
            throw .databaseTool("cannot read \(name)'s output")
        }
        if bytes.isEmpty { try finish() }
        return bytes
    }

    /// Gives the program the next bytes of the dump. Blocks.
    func write(_ bytes: [UInt8]) throws(BackupError) {
        do {
            try child.write(bytes)
        } catch {
            throw .databaseTool("\(name) stopped reading its input")
        }
    }

    /// Closes the pipe (the program's input, if it is fed), waits for it to exit and checks its status.
    func finish() throws(BackupError) {
        child.closePipe()
        let status = child.wait()
        try? FileManager.default.removeItem(atPath: messages)
        guard status == 0 else { throw .databaseTool("\(name) failed (exit status \(status))") }
    }

    /// Stops the program if it still runs (after a failure elsewhere) and removes its messages.
    func abandon() {
        child.terminate()
        try? FileManager.default.removeItem(atPath: messages)
    }
}
