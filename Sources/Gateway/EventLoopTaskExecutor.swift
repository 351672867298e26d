import NIOCore

/// A task executor that runs jobs on one NIO event loop.
///
/// A connection's HTTP handling runs with this executor preferred, on the event loop that does the
/// connection's I/O, so reading a request, answering it and writing the response need no thread
/// switch. (Swift's default pool would hop between its own threads and the event loop at every
/// await.)
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
