import Foundation
public import NIOCore
public import NIOPosix
import Synchronization

/// The calling side of a ``LocalSocketServer`` that keeps a few connections open and sends many
/// calls over each, one at a time, instead of connecting for every call.
///
/// A call takes an idle connection (or opens one), writes its request line and waits for the
/// response line; then the connection goes back to the idle list, unless the list holds
/// ``maximumIdle`` already or anything went wrong, in which case it is closed. Connections idle for
/// longer than ``maximumIdleAge`` are closed rather than reused, well before the server's own idle
/// timeout, so a call never races the server closing its connection. A call is never retried: a
/// request that may have reached the server is not sent twice.
public final class LocalSocketPool: Sendable {
    /// The server's socket.
    public let socketPath: String
    /// Idle connections kept at most; calls beyond them open connections of their own.
    public let maximumIdle: Int
    /// How long a connection may stay idle and still be reused.
    public let maximumIdleAge: Duration
    /// The longest request line sent (without its newline): the server's limit
    /// (``LocalSocketServer/maximumRequestBytes``), which closes the connection on a longer one.
    public let maximumRequestBytes: Int
    private let maximumResponseBytes: Int
    private let timeout: TimeAmount
    private let group: any EventLoopGroup
    private let idle = Mutex<[PooledConnection]>([])

    /// A pool of connections to the server on `socketPath`; requests longer than
    /// `maximumRequestBytes` are refused without being sent.
    public init(
        socketPath: String, maximumIdle: Int = 8, maximumIdleAge: Duration = .seconds(5), maximumRequestBytes: Int = 1 << 20,
        maximumResponseBytes: Int = 16 << 20, timeout: TimeAmount = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.socketPath = socketPath
        self.maximumRequestBytes = maximumRequestBytes
        self.maximumIdle = maximumIdle
        self.maximumIdleAge = maximumIdleAge
        self.maximumResponseBytes = maximumResponseBytes
        self.timeout = timeout
        self.group = group
    }

    deinit {
        for connection in idle.withLock({ $0 }) { connection.channel.close(promise: nil) }
    }

    /// Sends `request` and decodes the answer, waiting for it at most `timeout` (the pool's own
    /// when nil).
    /// - Throws: ``LocalSocketError/Code/requestTooLarge`` when the encoded request is longer than
    ///   ``maximumRequestBytes`` (nothing is sent), ``LocalSocketError/Code/unreachable`` when
    ///   nothing answers, ``LocalSocketError/Code/invalidAnswer`` when the answer is missing, too
    ///   long or malformed.
    public func call<Request: Encodable & Sendable, Response: Decodable & Sendable>(
        _ request: Request, expecting: Response.Type = Response.self, timeout: TimeAmount? = nil
    ) async throws(LocalSocketError) -> Response {
        let bytes: [UInt8]
        do {
            bytes = try LocalSocketLines.encode(request)
        } catch {
            throw LocalSocketError(.invalidAnswer, "the request cannot be encoded")
        }
        // The server closes a connection whose line is longer than its limit, without an answer:
        // refused here instead, so a caller is told why rather than that the server is gone.
        guard bytes.count - 1 <= maximumRequestBytes else {
            throw LocalSocketError(.requestTooLarge, "the request is longer than the server reads")
        }
        let connection = try await checkOut()
        let line: [UInt8]
        do {
            line = try await connection.exchange(bytes, timeout: timeout ?? self.timeout)
        } catch {
            connection.channel.close(promise: nil)
            throw LocalSocketError(.invalidAnswer, "the connection to \(socketPath) failed")
        }
        guard let response = try? JSONDecoder().decode(Response.self, from: Data(line)) else {
            connection.channel.close(promise: nil)
            throw LocalSocketError(.invalidAnswer, "no valid answer on \(socketPath)")
        }
        checkIn(connection)
        return response
    }

    /// Idle connections now (for tests and metrics).
    public var idleCount: Int { idle.withLock { $0.count } }

    private func checkOut() async throws(LocalSocketError) -> PooledConnection {
        let now = ContinuousClock.now
        while let candidate = idle.withLock({ $0.popLast() }) {
            if candidate.channel.isActive, now - candidate.lastUsed < maximumIdleAge { return candidate }
            candidate.channel.close(promise: nil)
        }
        do {
            let limit = maximumResponseBytes
            let channel = try await ClientBootstrap(group: group).channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ResponseLineHandler(limit: limit))
                }
            }.connect(unixDomainSocketPath: socketPath).get()
            return PooledConnection(channel: channel, lastUsed: now)
        } catch {
            throw LocalSocketError(.unreachable, "nothing answers on \(socketPath)")
        }
    }

    private func checkIn(_ connection: PooledConnection) {
        var returned = connection
        returned.lastUsed = ContinuousClock.now
        let kept = idle.withLock { list in
            guard list.count < maximumIdle, returned.channel.isActive else { return false }
            list.append(returned)
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }
}

/// One open connection of a ``LocalSocketPool``.
struct PooledConnection: Sendable {
    let channel: any Channel
    var lastUsed: ContinuousClock.Instant

    /// Writes `request` and waits for one response line, at most `timeout` (the connection is
    /// closed then).
    func exchange(_ request: [UInt8], timeout: TimeAmount) async throws -> [UInt8] {
        let channel = self.channel
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        channel.eventLoop.execute {
            do {
                let handler = try channel.pipeline.syncOperations.handler(type: ResponseLineHandler.self)
                handler.expect(promise)
                channel.writeAndFlush(ByteBuffer(bytes: request)).cascadeFailure(to: promise)
            } catch {
                promise.fail(error)
            }
        }
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(LocalSocketError(.invalidAnswer, "no answer in time"))
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        return try await promise.futureResult.get()
    }
}

/// Collects one response line per request on a pooled connection (event loop only).
final class ResponseLineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var collected: [UInt8] = []
    private var pending: EventLoopPromise<[UInt8]>?
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// The promise the next line fulfils.
    func expect(_ promise: EventLoopPromise<[UInt8]>) {
        collected.removeAll(keepingCapacity: true)
        pending = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let promise = pending else {
            // Bytes nobody asked for: the connection is out of step; close it.
            context.close(promise: nil)
            return
        }
        // Only the new bytes are searched: a long answer comes in many reads.
        let searched = collected.count
        collected += buffer.readableBytesView
        if let newline = collected[searched...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = Array(collected[..<newline])
            let rest = collected.count - newline - 1
            pending = nil
            collected.removeAll(keepingCapacity: true)
            if rest > 0 { context.close(promise: nil) }
            promise.succeed(line)
        } else if collected.count > limit {
            pending = nil
            context.close(promise: nil)
            promise.fail(LocalSocketError(.invalidAnswer, "the answer is too long"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending?.fail(LocalSocketError(.invalidAnswer, "the connection closed"))
        pending = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        pending?.fail(error)
        pending = nil
        context.close(promise: nil)
    }
}
