import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs PostgreSQL's programs with `posix_spawn`: stdin from /dev/null, stdout and stderr to a file
/// (so a chatty program can never fill a pipe and stall), every other descriptor closed; or, for
/// `pg_dump` and `pg_restore`, with one of stdin and stdout a pipe to the caller
/// (``spawnPiped(_:_:environment:direction:messagesPath:)``).
///
/// Foundation's `Process` is not used because on Linux it detects the end of a child through a
/// socket the child inherits; `pg_ctl start` leaves the server running with that socket (and any
/// other inherited descriptor) open, so the start would never be seen to finish. Closing every
/// descriptor above 2 in the child also keeps the caller's pipes out of the long-lived server.
package enum CommandRunner {
    struct Outcome: Sendable {
        let status: Int32
        let output: String

        /// The last lines of the output, for error reports.
        var tail: String {
            output.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).joined(separator: "\n")
        }
    }

    struct SpawnFailure: Error {
        let errno: Int32
    }

    /// Runs `executable` with `arguments` in `directory` and waits (without blocking the
    /// cooperative pool) for it to exit.
    static func run(_ executable: String, _ arguments: [String], in directory: String? = nil) async throws -> Outcome {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("bilet-cmd-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid = try spawn(executable, arguments, directory: directory, outputPath: outputPath)
        let status = await waitForExit(pid)
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return Outcome(status: status, output: String(decoding: data, as: UTF8.self))
    }

    /// Starts `executable` and does not wait for it; its output goes to /dev/null.
    package static func startDetached(_ executable: String, _ arguments: [String]) throws {
        let pid = try spawn(executable, arguments, directory: nil, outputPath: nil)
        // Reap it whenever it ends, so it does not linger as a zombie while this process lives.
        DispatchQueue.global().async { _ = blockingWait(pid) }
    }

    /// Starts `executable` with `arguments` and exactly `environment`, its standard input
    /// (``PipedChild/Direction/feeding``) or output (``PipedChild/Direction/draining``) a pipe to the
    /// caller, its other output and its standard error appended to `messagesPath` (created 0600 if
    /// missing), every other descriptor closed: how `pg_dump` and `pg_restore` run, so a secret in the
    /// environment and a dump in the pipe reach that child only.
    package static func spawnPiped(
        _ executable: String, _ arguments: [String], environment: [String: String], direction: PipedChild.Direction,
        messagesPath: String
    ) throws -> PipedChild {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw SpawnFailure(errno: errno) }
        // Close-on-exec in the parent, so no other child started meanwhile inherits them.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let (childEnd, callerEnd) = direction == .feeding ? (ends[0], ends[1]) : (ends[1], ends[0])
        let pid: pid_t
        do {
            pid = try spawn(
                executable, arguments, directory: nil, outputPath: messagesPath,
                pipe: (descriptor: childEnd, standardStream: direction == .feeding ? 0 : 1), environment: environment)
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
        close(childEnd)
        return PipedChild(pid: pid, pipe: callerEnd)
    }

    private static func spawn(
        _ executable: String, _ arguments: [String], directory: String?, outputPath: String?,
        pipe: (descriptor: Int32, standardStream: Int32)? = nil, environment: [String: String]? = nil
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        if let pipe {
            // The pipe end becomes the child's standard input or output; the other of the two, and
            // standard error, go to the messages file.
            posix_spawn_file_actions_adddup2(&actions, pipe.descriptor, pipe.standardStream)
            if pipe.standardStream == 0 {
                posix_spawn_file_actions_addopen(
                    &actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            } else {
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
                posix_spawn_file_actions_addopen(
                    &actions, 2, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
            }
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(
                &actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        #if canImport(Darwin)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_CLOEXEC_DEFAULT))
        if let directory { posix_spawn_file_actions_addchdir_np(&actions, directory) }
        #else
        _ = GNUSpawnExtensions.closeFrom?(&actions, 3)
        if let directory { _ = GNUSpawnExtensions.changeDirectory?(&actions, directory) }
        #endif

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { $0.map { strdup($0.key + "=" + $0.value) } + [nil] }
        defer { envp?.forEach { free($0) } }
        var pid: pid_t = 0
        let result =
            if let envp {
                posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            } else {
                posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            }
        guard result == 0 else { throw SpawnFailure(errno: result) }
        return pid
    }

    private static func waitForExit(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: blockingWait(pid))
            }
        }
    }

    /// waitpid, decoded: the exit code, or 128 + the signal that ended the process.
    static func blockingWait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}

#if !canImport(Darwin)
/// glibc's `posix_spawn` extensions (2.29, 2.34) are declared only under `_GNU_SOURCE`, which
/// Swift's Glibc module does not set, so they are looked up at run time.
private enum GNUSpawnExtensions {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static let closeFrom: CloseFrom? = lookUp("posix_spawn_file_actions_addclosefrom_np")
    static let changeDirectory: ChangeDirectory? = lookUp("posix_spawn_file_actions_addchdir_np")

    private static func lookUp<Function>(_ name: String) -> Function? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }
}
#endif
