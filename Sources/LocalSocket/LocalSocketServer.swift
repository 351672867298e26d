import Foundation
public import Logging
import Synchronization
public import NIOCore
public import NIOPosix
public import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A local request/response server on a Unix domain socket, for calls between bilet's own processes
/// (the gateway calling the vault's door or forwarding a renewal to the CA process).
///
/// JSON request lines, each answered by one JSON response line, one after another on a connection
/// (a client may keep a connection open for many calls, or make one per call). The caller is
/// authenticated by the kernel (`SO_PEERCRED`) once per connection: only processes whose user is in
/// ``allowedUsers`` are answered; any other connection is closed without an answer and logged. A
/// connection that sends no complete line within the request timeout is closed. The socket's directory is private to
/// this process's user (mode 0700, or 0750 with its group when other users are allowed, who then
/// reach it through that group), and the socket file is bound under a temporary name and moved into
/// place, so it never exists at its public path with looser permissions. Requests are bounded in
/// size and time.
public struct LocalSocketServer<Request: Decodable & Sendable, Response: Encodable & Sendable>: Service {
    /// What answers one request from an authenticated peer.
    public typealias Handler = @Sendable (Request, PeerCredentials) async -> Response

    /// The socket path.
    public let socketPath: String
    /// User ids whose processes are answered.
    public let allowedUsers: Set<UInt32>
    /// A name for logs (`vault-door`, `ca-renewal`).
    public let name: String
    /// The longest request line accepted.
    public let maximumRequestBytes: Int
    /// Connections served at once; more are closed at once (a caller cannot exhaust the server).
    public let maximumConnections: Int
    private let open = Counter()
    private let handler: Handler
    private let invalidRequest: @Sendable () -> Response
    private let group: any EventLoopGroup
    private let requestTimeout: Duration
    private let logger: Logger
    private let onListening: @Sendable () async -> Void

    /// Creates the server.
    /// - Parameters:
    ///   - allowedUsers: user ids answered; this process's own user is always included.
    ///   - invalidRequest: the answer to a line that is not a `Request`.
    ///   - onListening: called once the socket answers.
    public init(
        name: String, socketPath: String, allowedUsers: Set<UInt32> = [], maximumRequestBytes: Int = 1 << 20,
        maximumConnections: Int = 256,
        requestTimeout: Duration = .seconds(30), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger, invalidRequest: @escaping @Sendable () -> Response,
        onListening: @escaping @Sendable () async -> Void = {}, handler: @escaping Handler
    ) {
        self.name = name
        self.socketPath = socketPath
        self.allowedUsers = allowedUsers.union([geteuid()])
        self.maximumRequestBytes = maximumRequestBytes
        self.maximumConnections = maximumConnections
        self.requestTimeout = requestTimeout
        self.group = group
        self.logger = logger
        self.invalidRequest = invalidRequest
        self.onListening = onListening
        self.handler = handler
    }

    public func run() async throws {
        let shared = allowedUsers != [geteuid()]
        try prepareDirectory(shared: shared)
        if await LocalSocketClient.isAnswering(socketPath: socketPath) {
            throw LocalSocketError(.unusable, "another process answers on \(socketPath)")
        }
        let temporaryPath = socketPath + ".binding"
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .bind(unixDomainSocketPath: temporaryPath, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        guard chmod(temporaryPath, shared ? 0o660 : 0o600) == 0, rename(temporaryPath, socketPath) == 0 else {
            try? await server.channel.close()
            unlink(temporaryPath)
            throw LocalSocketError(.unusable, "cannot restrict \(socketPath)")
        }
        logger.info("local socket listening", metadata: ["socket": "\(name)", "path": "\(socketPath)"])
        await onListening()
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { tasks in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        tasks.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
        unlink(socketPath)
    }

    private func prepareDirectory(shared: Bool) throws {
        let directory = (socketPath as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        try? FileManager.default.createDirectory(
            atPath: (directory as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var status = stat()
        if lstat(directory, &status) != 0 {
            guard mkdir(directory, shared ? 0o750 : 0o700) == 0 || errno == EEXIST, lstat(directory, &status) == 0 else {
                throw LocalSocketError(.unusable, "cannot create \(directory)")
            }
        }
        let open: mode_t = shared ? 0o027 : 0o077
        guard status.st_mode & S_IFMT == S_IFDIR, status.st_uid == geteuid(), status.st_mode & open == 0 else {
            throw LocalSocketError(
                .unusable, "\(directory) must be a directory owned by this user with mode \(shared ? "0750" : "0700")")
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        guard open.increment(limit: maximumConnections) else {
            logger.warning("local socket at its connection limit", metadata: ["socket": "\(name)"])
            try? await connection.channel.close()
            return
        }
        defer { open.decrement() }
        guard let peer = await PeerCredentials.of(connection.channel), allowedUsers.contains(peer.userID) else {
            logger.warning("local socket refused a peer", metadata: ["socket": "\(name)"])
            try? await connection.channel.close()
            return
        }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var lines = LocalSocketLines.Reader(inbound.makeAsyncIterator(), limit: maximumRequestBytes)
                // Several requests, one after another, on one connection: each line is answered before
                // the next is read. A connection with no complete line within the request timeout (a
                // silent or idle peer) is closed, like one that sends a line over the limit.
                while true {
                    let channel = connection.channel
                    let idle = channel.eventLoop.scheduleTask(in: requestTimeout.timeAmount) {
                        channel.close(promise: nil)
                    }
                    let line = try await lines.next()
                    idle.cancel()
                    guard let line else { return }
                    let response: Response
                    if let request = try? JSONDecoder().decode(Request.self, from: Data(line)) {
                        response = await handler(request, peer)
                    } else {
                        response = invalidRequest()
                    }
                    try await outbound.write(ByteBuffer(bytes: try LocalSocketLines.encode(response)))
                }
            }
        } catch {
            logger.debug("local socket connection ended", metadata: ["socket": "\(name)", "error": "\(type(of: error))"])
        }
    }
}

extension Duration {
    /// The duration as NIO's time amount (whole nanoseconds).
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000)
    }
}

/// Connections in progress.
private final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    /// Counts one more unless `limit` are in progress.
    func increment(limit: Int) -> Bool {
        let now = value.wrappingAdd(1, ordering: .relaxed).newValue
        if now > limit {
            value.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func decrement() { value.wrappingSubtract(1, ordering: .relaxed) }
}

/// The line framing both sides use.
enum LocalSocketLines {
    /// Reads lines one after another from a stream, keeping what follows a line for the next.
    struct Reader {
        private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        private var pending: [UInt8] = []
        private let limit: Int

        init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, limit: Int) {
            self.iterator = iterator
            self.limit = limit
        }

        /// The next line (without its newline); `nil` at the end of the stream, or when a line is
        /// longer than the limit (the caller then closes the connection).
        mutating func next() async throws -> [UInt8]? {
            var searched = 0
            while true {
                if let newline = pending[searched...].firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    return line.count > limit ? nil : line
                }
                searched = pending.count
                if pending.count > limit { return nil }
                guard let buffer = try await iterator.next() else { return nil }
                pending += buffer.readableBytesView
            }
        }
    }

    /// One line (without its newline), or `nil` when it is longer than `limit` or the peer sent nothing.
    static func read(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>, limit: Int) async throws -> [UInt8]? {
        var collected: [UInt8] = []
        for try await buffer in inbound {
            let searched = collected.count
            collected += buffer.readableBytesView
            if let newline = collected[searched...].firstIndex(of: UInt8(ascii: "\n")) { return Array(collected[..<newline]) }
            if collected.count > limit { return nil }
        }
        return collected.isEmpty ? nil : collected
    }

    /// `value` as JSON followed by a newline (JSON escapes newlines inside strings).
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        var bytes = Array(try JSONEncoder().encode(value))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
