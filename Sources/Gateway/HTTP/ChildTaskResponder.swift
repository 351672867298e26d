import HummingbirdCore
import NIOCore

/// Serves each request of an HTTP/1.1 connection in a child task of the connection's task.
///
/// Swift's task allocator keeps the memory of a task's async frames (in slabs of about 1 KiB)
/// until the task ends. Run in the connection's own task, the frames of one request (middleware,
/// router, route, response writing) would stay allocated for as long as the keep-alive connection
/// is open: about 16 KiB of the 43 KiB an idle connection cost (heaptrack, 2,000 idle connections,
/// issue 13). In a child task they are freed when the request ends. The child inherits the
/// connection's task-locals (``ConnectionScope``), executor preference and cancellation, and its
/// error is the request's error, as before. HTTP/2 streams already run one task each.
enum ChildTaskResponder {
    typealias Responder = @Sendable (Request, consuming ResponseWriter, any Channel) async throws -> Void

    static func wrap(_ responder: @escaping Responder) -> Responder {
        { request, writer, channel in
            let box = WriterBox(writer)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await responder(request, box.take(), channel) }
                try await group.next()
            }
        }
    }
}

/// Hands the (non-copyable) response writer to the child task, exactly once.
private final class WriterBox: @unchecked Sendable {
    // Written once here and taken once by the child task, which starts after this initialiser.
    private var writer: ResponseWriter?

    init(_ writer: consuming ResponseWriter) {
        self.writer = consume writer
    }

    func take() -> ResponseWriter {
        self.writer.take()!
    }
}
