import Foundation
import LocalSocket
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
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

    @Test("nothing listening: unreachable")
    func unreachable() async throws {
        let pool = LocalSocketPool(socketPath: "/tmp/bilet-lp-none-\(UInt32.random(in: 0...UInt32.max))/s.sock")
        let error = await #expect(throws: LocalSocketError.self) { try await pool.call(Echo(text: "x"), expecting: Echo.self) }
        #expect(error?.code == .unreachable)
    }
}
