import Foundation
import LocalSocket
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing

/// A local socket server answers many requests on one connection, one after another, and a pooled
/// client reuses its connections instead of connecting for every call.
@Suite("Local sockets: persistent connections and the client pool")
struct PersistentConnectionTests {
    /// Runs an echo server for `body`.
    func withServer(
        requestTimeout: Duration = .seconds(30), maximumRequestBytes: Int = 1 << 20,
        _ body: (String) async throws -> Void
    ) async throws {
        try await withEchoServer(requestTimeout: requestTimeout, maximumRequestBytes: maximumRequestBytes, answer: { text, _ in "echo \(text)" }, body)
    }

    /// Sends `lines` on one raw connection and returns the answer lines (read until `count` came).
    func exchange(_ lines: String, expecting count: Int, path: String) async throws -> [String] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(unixDomainSocketPath: path) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: lines))
            var text = ""
            for try await buffer in inbound {
                text += String(buffer: buffer)
                if text.filter({ $0 == "\n" }).count >= count { break }
            }
            return text.split(separator: "\n").map(String.init)
        }
    }

    @Test("three requests on one connection, sent at once, get three answers in order")
    func pipelinedRequests() async throws {
        try await withServer { path in
            let answers = try await exchange(#"{"text":"a"}"# + "\n" + #"{"text":"b"}"# + "\n" + #"{"text":"c"}"# + "\n", expecting: 3, path: path)
            #expect(answers == [#"{"text":"echo a"}"#, #"{"text":"echo b"}"#, #"{"text":"echo c"}"#])
        }
    }

    @Test("a malformed line is answered as invalid and the connection goes on")
    func invalidThenValid() async throws {
        try await withServer { path in
            let answers = try await exchange("nonsense\n" + #"{"text":"d"}"# + "\n", expecting: 2, path: path)
            #expect(answers == [#"{"text":"invalid"}"#, #"{"text":"echo d"}"#])
        }
    }

    @Test("a connection idle beyond the request timeout is closed by the server")
    func idleConnectionClosed() async throws {
        try await withServer(requestTimeout: .milliseconds(300)) { path in
            let pool = LocalSocketPool(socketPath: path, maximumIdleAge: .seconds(60))
            #expect(try await pool.call(Echo(text: "1"), expecting: Echo.self) == Echo(text: "echo 1"))
            #expect(pool.idleCount == 1)
            try await Task.sleep(for: .milliseconds(800))
            // The pooled connection was closed by the server; the pool notices and connects anew.
            #expect(try await pool.call(Echo(text: "2"), expecting: Echo.self) == Echo(text: "echo 2"))
        }
    }

    @Test("a line over the limit closes the connection without an answer")
    func oversizedLine() async throws {
        try await withServer(maximumRequestBytes: 64) { path in
            let long = #"{"text":""# + String(repeating: "x", count: 200) + "\"}\n"
            let answers = try await exchange(long, expecting: 1, path: path)
            #expect(answers.isEmpty)
        }
    }

    @Test("the pool reuses its connections: 200 sequential calls, one connection; concurrent calls share a few")
    func poolReuses() async throws {
        try await withServer { path in
            let pool = LocalSocketPool(socketPath: path, maximumIdle: 4)
            for index in 0..<200 {
                #expect(try await pool.call(Echo(text: "\(index)"), expecting: Echo.self) == Echo(text: "echo \(index)"))
            }
            #expect(pool.idleCount == 1)
            try await withThrowingTaskGroup(of: Echo.self) { group in
                for index in 0..<64 { group.addTask { try await pool.call(Echo(text: "c\(index)"), expecting: Echo.self) } }
                var answers = Set<String>()
                for try await answer in group { answers.insert(answer.text) }
                #expect(answers == Set((0..<64).map { "echo c\($0)" }))
            }
            #expect(pool.idleCount <= 4)
        }
    }

    /// Runs a server whose answers `answer` computes (asynchronously) for `body`, serving at most
    /// `maximumConnections` connections at once; `body`'s pools are gone before the server stops.
    func withAsyncServer(
        maximumConnections: Int = 256, answer: @escaping @Sendable (String) async -> String, _ body: (String) async throws -> Void
    ) async throws {
        let directory = "/tmp/bilet-ls-\(UInt32.random(in: 0...UInt32.max))"
        let path = directory + "/s.sock"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ready = AsyncStream.makeStream(of: Void.self)
        let server = LocalSocketServer<Echo, Echo>(
            name: "test", socketPath: path, maximumConnections: maximumConnections, logger: Logger(label: "test"),
            invalidRequest: { Echo(text: "invalid") }, onListening: { ready.continuation.yield() }
        ) { request, _ in Echo(text: await answer(request.text)) }
        let services = ServiceGroup(services: [server], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await services.run() }
            for await _ in ready.stream { break }
            try await body(path)
            await services.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("a burst of 100 calls on a server that serves 4 connections: the pool opens at most 4 and every call is answered in turn")
    func burstQueuesInThePool() async throws {
        let busy = Mutex((now: 0, most: 0))
        // The server turns away a fifth connection; each answer takes a moment, so the calls overlap.
        try await withAsyncServer(maximumConnections: 4, answer: { text in
            busy.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            try? await Task.sleep(for: .milliseconds(5))
            busy.withLock { $0.now -= 1 }
            return "echo \(text)"
        }) { path in
            // The pool's wait is generous: this is about queueing, not the wait's bound (the next
            // test), and a loaded CI machine once kept a call of the burst waiting past 10 s.
            let pool = LocalSocketPool(socketPath: path, maximumIdle: 2, maximumOpen: 4, timeout: .seconds(120))
            try await withThrowingTaskGroup(of: Echo.self) { group in
                for index in 0..<100 { group.addTask { try await pool.call(Echo(text: "b\(index)"), expecting: Echo.self) } }
                var answers = Set<String>()
                for try await answer in group { answers.insert(answer.text) }
                #expect(answers == Set((0..<100).map { "echo b\($0)" }))
            }
            #expect(busy.withLock { $0.most } <= 4)
            #expect(pool.openCount <= 2, "only the idle ones stay open")
        }
    }

    @Test("a call waiting for a busy pool gives up after the pool's timeout: unreachable, and the pool recovers")
    func waitingCallTimesOut() async throws {
        try await withAsyncServer(answer: { text in
            if text == "slow" { try? await Task.sleep(for: .milliseconds(1500)) }
            return "echo \(text)"
        }) { path in
            let pool = LocalSocketPool(socketPath: path, maximumIdle: 1, maximumOpen: 1, timeout: .milliseconds(600))
            async let slow = pool.call(Echo(text: "slow"), expecting: Echo.self, timeout: .seconds(5))
            try await Task.sleep(for: .milliseconds(200))
            // The only connection is busy for 1.5 s; a second call waits the pool's 600 ms, then gives up.
            let waited = await #expect(throws: LocalSocketError.self) { try await pool.call(Echo(text: "next"), expecting: Echo.self) }
            #expect(waited?.code == .unreachable)
            #expect(try await slow == Echo(text: "echo slow"))
            #expect(try await pool.call(Echo(text: "after"), expecting: Echo.self) == Echo(text: "echo after"))
            #expect(pool.openCount == 1)
        }
    }

    @Test("nothing listening: unreachable")
    func unreachable() async throws {
        let pool = LocalSocketPool(socketPath: "/tmp/bilet-lp-none-\(UInt32.random(in: 0...UInt32.max))/s.sock")
        let error = await #expect(throws: LocalSocketError.self) { try await pool.call(Echo(text: "x"), expecting: Echo.self) }
        #expect(error?.code == .unreachable)
    }
}
