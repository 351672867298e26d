import Foundation
import LocalSocket
import Logging
import ServiceLifecycle

/// The message the test servers echo.
struct Echo: Codable, Sendable, Equatable {
    let text: String
}

/// Runs an echo server on a fresh socket for `body` (given the socket's path): each request's text
/// is answered with `answer(text, the peer's uid)`, a line that is not an ``Echo`` with `invalid`.
func withEchoServer(
    allowedUsers: Set<UInt32> = [], requestTimeout: Duration = .seconds(30), maximumRequestBytes: Int = 1 << 20,
    answer: @escaping @Sendable (String, UInt32) -> String, _ body: (String) async throws -> Void
) async throws {
    let directory = "/tmp/bilet-ls-\(UInt32.random(in: 0...UInt32.max))"
    let path = directory + "/s.sock"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let ready = AsyncStream.makeStream(of: Void.self)
    let server = LocalSocketServer<Echo, Echo>(
        name: "test", socketPath: path, allowedUsers: allowedUsers, maximumRequestBytes: maximumRequestBytes,
        requestTimeout: requestTimeout, logger: Logger(label: "test"), invalidRequest: { Echo(text: "invalid") },
        onListening: { ready.continuation.yield() }
    ) { request, peer in Echo(text: answer(request.text, peer.userID)) }
    let group = ServiceGroup(services: [server], logger: Logger(label: "test"))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        for await _ in ready.stream { break }
        try await body(path)
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}
