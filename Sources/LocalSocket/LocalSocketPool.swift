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
///
/// At most ``maximumOpen`` connections are open at once, below the server's own connection limit:
/// a call beyond them waits, first come first served, for a connection another call returns (at
/// most the pool's timeout), so a burst of calls queues here instead of being turned away by the
/// server.
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
    /// Connections open at once at most (idle and in use); calls beyond them wait.
    public let maximumOpen: Int
    private let group: any EventLoopGroup
    private let state = Mutex(PoolState())

    /// A pool of connections to the server on `socketPath`; requests longer than
    /// `maximumRequestBytes` are refused without being sent.
    public init(
        socketPath: String, maximumIdle: Int = 8, maximumOpen: Int = 64, maximumIdleAge: Duration = .seconds(5),
        maximumRequestBytes: Int = 1 << 20, maximumResponseBytes: Int = 16 << 20, timeout: TimeAmount = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.socketPath = socketPath
        self.maximumRequestBytes = maximumRequestBytes
        self.maximumIdle = maximumIdle
        self.maximumOpen = max(1, maximumOpen, maximumIdle)
        self.maximumIdleAge = maximumIdleAge
        self.maximumResponseBytes = maximumResponseBytes
        self.timeout = timeout
        self.group = group
    }

    deinit {
        for connection in state.withLock({ $0.idle }) { connection.channel.close(promise: nil) }
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
            release(connection, reusable: false)
            throw LocalSocketError(.invalidAnswer, "the connection to \(socketPath) failed")
        }
        guard let response = try? JSONDecoder().decode(Response.self, from: Data(line)) else {
            release(connection, reusable: false)
            throw LocalSocketError(.invalidAnswer, "no valid answer on \(socketPath)")
        }
        release(connection, reusable: true)
        return response
    }

    /// Idle connections now (for tests and metrics).
    public var idleCount: Int { state.withLock { $0.idle.count } }

    /// Connections open now, idle and in use (for tests and metrics).
    public var openCount: Int { state.withLock { $0.open } }

    /// A connection for one call: an idle one, a new one within ``maximumOpen``, or, when all are
    /// in use, the first one another call gives back (waiting at most the pool's timeout).
    private func checkOut() async throws(LocalSocketError) -> PooledConnection {
        let now = ContinuousClock.now
        var stale: [PooledConnection] = []
        let grant: PoolGrant = await withCheckedContinuation { (continuation: CheckedContinuation<PoolGrant, Never>) in
            let waiter: UInt64? = state.withLock { pool in
                while let candidate = pool.idle.popLast() {
                    if candidate.channel.isActive, now - candidate.lastUsed < maximumIdleAge {
                        continuation.resume(returning: .connection(candidate))
                        return nil
                    }
                    pool.open -= 1
                    stale.append(candidate)
                }
                if pool.open < maximumOpen {
                    pool.open += 1
                    continuation.resume(returning: .slot)
                    return nil
                }
                pool.nextWaiter += 1
                pool.waiters.append(PoolWaiter(id: pool.nextWaiter, continuation: continuation))
                return pool.nextWaiter
            }
            if let waiter {
                // The wait's deadline; cancelled when the call is served, so the pool is not kept alive by it.
                let deadline = group.next().scheduleTask(in: timeout) { [weak self] in
                    let expired = self?.state.withLock { pool -> PoolWaiter? in
                        pool.deadlines[waiter] = nil
                        guard let index = pool.waiters.firstIndex(where: { $0.id == waiter }) else { return nil }
                        return pool.waiters.remove(at: index)
                    }
                    expired?.continuation.resume(returning: .timedOut)
                }
                let served = state.withLock { pool in
                    guard pool.waiters.contains(where: { $0.id == waiter }) else { return true }
                    pool.deadlines[waiter] = deadline
                    return false
                }
                if served { deadline.cancel() }
            }
        }
        for connection in stale { connection.channel.close(promise: nil) }
        switch grant {
        case .connection(let connection):
            return connection
        case .timedOut:
            throw LocalSocketError(.unreachable, "every connection to \(socketPath) stayed busy")
        case .slot:
            do {
                let limit = maximumResponseBytes
                let channel = try await ClientBootstrap(group: group).channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ResponseLineHandler(limit: limit))
                    }
                }.connect(unixDomainSocketPath: socketPath).get()
                return PooledConnection(channel: channel, lastUsed: now)
            } catch {
                giveBackSlot()
                throw LocalSocketError(.unreachable, "nothing answers on \(socketPath)")
            }
        }
    }

    /// After a call: a waiting call gets the connection (or, when it cannot be reused, its slot);
    /// otherwise it goes back to the idle list or is closed.
    private func release(_ connection: PooledConnection, reusable: Bool) {
        var returned = connection
        returned.lastUsed = ContinuousClock.now
        let usable = reusable && returned.channel.isActive
        enum Outcome { case handed(PoolWaiter, PoolGrant), kept, closed }
        let outcome = state.withLock { pool -> Outcome in
            if let waiter = pool.takeFirstWaiter() {
                return .handed(waiter, usable ? .connection(returned) : .slot)
            }
            if usable, pool.idle.count < maximumIdle {
                pool.idle.append(returned)
                return .kept
            }
            pool.open -= 1
            return .closed
        }
        switch outcome {
        case .handed(let waiter, let grant):
            if case .slot = grant { connection.channel.close(promise: nil) }
            waiter.continuation.resume(returning: grant)
        case .kept:
            break
        case .closed:
            connection.channel.close(promise: nil)
        }
    }

    /// A slot whose connection could not be opened: to the next waiting call, or freed.
    private func giveBackSlot() {
        let waiter = state.withLock { pool -> PoolWaiter? in
            guard let waiter = pool.takeFirstWaiter() else {
                pool.open -= 1
                return nil
            }
            return waiter
        }
        waiter?.continuation.resume(returning: .slot)
    }
}

/// What a ``LocalSocketPool`` holds: idle connections, how many are open, the calls waiting.
struct PoolState: Sendable {
    var idle: [PooledConnection] = []
    var open = 0
    var waiters: [PoolWaiter] = []
    var nextWaiter: UInt64 = 0
    /// The waiting calls' deadlines, by waiter.
    var deadlines: [UInt64: Scheduled<Void>] = [:]

    /// The longest-waiting call, its deadline cancelled; nil when none waits.
    mutating func takeFirstWaiter() -> PoolWaiter? {
        guard !waiters.isEmpty else { return nil }
        let waiter = waiters.removeFirst()
        deadlines.removeValue(forKey: waiter.id)?.cancel()
        return waiter
    }
}

/// A call waiting for a connection.
struct PoolWaiter: Sendable {
    let id: UInt64
    let continuation: CheckedContinuation<PoolGrant, Never>
}

/// What a waiting (or arriving) call is given.
enum PoolGrant: Sendable {
    /// An open connection to use.
    case connection(PooledConnection)
    /// Room to open a connection of its own.
    case slot
    /// Nothing came within the pool's timeout.
    case timedOut
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
