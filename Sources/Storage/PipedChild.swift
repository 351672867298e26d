import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A program started by ``CommandRunner/spawnPiped(_:_:environment:direction:messagesPath:)`` whose
/// standard input or standard output is a pipe to the caller (a dump flowing through it, never
/// touching the disk); its other output goes to a private file, every other descriptor closed.
///
/// Blocking: read, write and ``wait()`` block the calling thread; use them off the cooperative pool.
package final class PipedChild: @unchecked Sendable {
    /// Which of the child's standard streams is the pipe.
    package enum Direction: Sendable {
        /// The caller writes, the child reads its standard input (`pg_restore`).
        case feeding
        /// The child writes its standard output, the caller reads (`pg_dump`).
        case draining
    }

    private let pid: pid_t
    private let pipe: FileHandle
    private var status: Int32?

    init(pid: pid_t, pipe descriptor: Int32) {
        self.pid = pid
        pipe = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// The child's next output bytes, at most `maximum`; empty at its end.
    package func read(upToCount maximum: Int) throws -> [UInt8] {
        Array(try pipe.read(upToCount: maximum) ?? Data())
    }

    /// Gives the child the next bytes of its input.
    package func write(_ bytes: [UInt8]) throws {
        try pipe.write(contentsOf: bytes)
    }

    /// Closes the caller's end of the pipe (the child then sees the end of its input).
    package func closePipe() {
        try? pipe.close()
    }

    /// Waits for the child to exit: its exit code, or 128 + the signal that ended it. Idempotent.
    package func wait() -> Int32 {
        if let status { return status }
        let ended = CommandRunner.blockingWait(pid)
        status = ended
        return ended
    }

    /// Stops the child if it still runs (SIGTERM), then waits for it.
    package func terminate() {
        if status == nil { kill(pid, SIGTERM) }
        closePipe()
        _ = wait()
    }
}
