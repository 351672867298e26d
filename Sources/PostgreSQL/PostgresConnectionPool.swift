public import Logging
public import NIOPosix
import Synchronization

/// A bounded pool of ``PostgresConnection``s to one server, as one role.
///
/// Guarantees:
/// - at most `maxConnections` connections are open at once;
/// - when all are busy a caller waits, first come first served, for at most `acquireTimeout`, then
///   fails with ``PostgresError/Code/poolExhausted``; a cancelled waiter leaves the queue at once
///   and fails with ``PostgresError/Code/cancelled``;
/// - a connection that broke, or that is handed back inside a transaction, is closed and never
///   reused;
/// - an idle connection is validated (`PQconsumeInput` + `PQstatus`, non-blocking) before reuse,
///   so after a PostgreSQL restart the next call reconnects transparently;
/// - after ``shutdown()`` every call fails with ``PostgresError/Code/poolClosed``.
///
/// Blocking libpq calls run on an `NIOThreadPool`. By default the pool owns one with
/// `maxConnections` threads, so a connection blocked in the server (waiting for a lock) never
/// starves the others. A shared thread pool may be passed instead; it must then have at least as
/// many threads as all the connections that use it.
public final class PostgresConnectionPool: Sendable {
    /// Where and as whom the pool connects.
    public let configuration: PostgresConfiguration
    /// The most connections open at once.
    public let maxConnections: Int
    /// The longest a caller waits for a free connection.
    public let acquireTimeout: Duration

    private let threadPool: NIOThreadPool
    private let ownsThreadPool: Bool
    private let logger: Logger
    private let state = Mutex(State())

    /// Creates a pool; no connection is opened until the first call.
    /// - Parameters:
    ///   - configuration: where and as whom to connect.
    ///   - maxConnections: the most connections open at once (at least 1).
    ///   - acquireTimeout: how long a caller waits for a free connection before
    ///     ``PostgresError/Code/poolExhausted``.
    ///   - threadPool: a started thread pool to run libpq on; `nil` makes the pool own one with
    ///     `maxConnections` threads, stopped by ``shutdown()``.
    ///   - logger: receives connection lifecycle events (never SQL values).
    public init(
        configuration: PostgresConfiguration,
        maxConnections: Int = 10,
        acquireTimeout: Duration = .seconds(10),
        threadPool: NIOThreadPool? = nil,
        logger: Logger = Logger(label: "bilet.postgres.pool")
    ) {
        precondition(maxConnections >= 1, "a pool needs at least one connection")
        self.configuration = configuration
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
        self.logger = logger
        if let threadPool {
            self.threadPool = threadPool
            self.ownsThreadPool = false
        } else {
            let owned = NIOThreadPool(numberOfThreads: maxConnections)
            owned.start()
            self.threadPool = owned
            self.ownsThreadPool = true
        }
    }

    deinit {
        // A pool dropped without shutdown() still releases its threads.
        if ownsThreadPool { threadPool.shutdownGracefully { _ in } }
    }

    // MARK: Public API

    /// Runs `body` with a connection of its own, then returns the connection to the pool (or
    /// closes it if it broke or was left inside a transaction). Rethrows what `body` throws.
    /// - Throws: ``PostgresError/Code/poolExhausted`` after `acquireTimeout`,
    ///   ``PostgresError/Code/connectionFailed``, ``PostgresError/Code/cancelled``,
    ///   ``PostgresError/Code/poolClosed``, or the error of `body`.
    nonisolated(nonsending)
    public func withConnection<Result>(
        _ body: nonisolated(nonsending) (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await acquire()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    /// Runs `body` inside a transaction: BEGIN at `isolation`; COMMIT when `body` returns; ROLLBACK
    /// when it throws or the task is cancelled, then rethrows the original error (or
    /// `CancellationError`). If COMMIT finds the transaction already failed (an error inside `body`
    /// was caught and ignored), throws ``PostgresError/Code/transactionAborted``.
    nonisolated(nonsending)
    public func withTransaction<Result>(
        isolation: TransactionIsolation = .readCommitted,
        _ body: nonisolated(nonsending) (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.execute(isolation.beginStatement)
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                await Self.rollback(connection)
                throw error
            }
            if Task.isCancelled {
                await Self.rollback(connection)
                throw CancellationError()
            }
            let commit = try await connection.query("COMMIT")
            guard commit.commandTag == "COMMIT" else {
                throw PostgresError(
                    code: .transactionAborted, reason: "COMMIT answered \(commit.commandTag)")
            }
            return result
        }
    }

    /// Runs one statement on any free connection and returns its rows.
    public func query(_ statement: SQLStatement) async throws(PostgresError) -> QueryResult {
        if let error = statement.parameterError { throw error }
        let connection = try await acquire()
        defer { release(connection) }
        return try await connection.query(statement)
    }

    /// Runs one statement on any free connection and returns the number of rows it affected.
    @discardableResult
    public func execute(_ statement: SQLStatement) async throws(PostgresError) -> Int {
        try await query(statement).affectedRows ?? 0
    }

    /// Fails every waiting caller with ``PostgresError/Code/poolClosed``, closes idle connections
    /// (leased ones close when handed back) and stops the owned thread pool. Calls still running
    /// fail with ``PostgresError/Code/poolClosed``. Idempotent.
    public func shutdown() async {
        let (idle, waiters) = state.withLock { state in
            state.isShutdown = true
            defer {
                state.idle.removeAll()
                state.waiters.removeAll()
            }
            state.openCount -= state.idle.count
            return (state.idle, state.waiters)
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: PostgresError(code: .poolClosed))
        }
        for connection in idle { connection.close() }
        if ownsThreadPool { try? await threadPool.shutdownGracefully() }
    }

    /// The number of open connections (idle and leased), for monitoring.
    public var openConnectionCount: Int { state.withLock { $0.openCount } }

    // MARK: Lease bookkeeping

    private struct Waiter: Sendable {
        let id: UInt64
        let continuation: CheckedContinuation<Lease, any Error>
        var timer: Task<Void, Never>?
    }

    private enum Lease: Sendable {
        /// A connection handed over by a releasing caller.
        case connection(PostgresConnection)
        /// Room to open a new connection (counted already).
        case permit
    }

    private struct State: ~Copyable {
        var idle: [PostgresConnection] = []
        /// Idle + leased + being opened.
        var openCount = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var isShutdown = false
    }

    private enum Checkout {
        case reuse(PostgresConnection)
        case open
        case wait
        case closed
    }

    /// Obtains a connection: a validated idle one, a new one if below the limit, or the next one
    /// handed back (FIFO) within `acquireTimeout`.
    func acquire() async throws(PostgresError) -> PostgresConnection {
        while true {
            let checkout = state.withLock { state -> Checkout in
                if state.isShutdown { return .closed }
                if let connection = state.idle.popLast() { return .reuse(connection) }
                if state.openCount < maxConnections {
                    state.openCount += 1
                    return .open
                }
                return .wait
            }
            switch checkout {
            case .closed:
                throw PostgresError(code: .poolClosed)
            case .reuse(let connection):
                if connection.validateIdle() { return connection }
                logger.debug("postgres idle connection failed validation; reconnecting")
                discard(connection)
            case .open:
                return try await open()
            case .wait:
                switch try await waitForLease() {
                case .connection(let connection): return connection
                case .permit: return try await open()
                }
            }
        }
    }

    /// Opens a connection for a slot already counted in `openCount`; frees the slot on failure.
    private func open() async throws(PostgresError) -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(
                configuration: configuration, threadPool: threadPool, logger: logger)
        } catch {
            freeSlot()
            throw error
        }
    }

    /// Hands a connection back: to the first waiter, to the idle list, or closed when it is no
    /// longer reusable or the pool is shut down.
    func release(_ connection: PostgresConnection) {
        guard connection.isReusable else {
            logger.debug("postgres connection discarded (broken or inside a transaction)")
            discard(connection)
            return
        }
        let waiter = state.withLock { state -> Waiter?? in
            if state.isShutdown { return .some(nil) }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        switch waiter {
        case .none:
            break
        case .some(.none):
            discard(connection)
        case .some(.some(let waiter)):
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: .connection(connection))
        }
    }

    /// Closes a connection and gives its slot to the first waiter, if any.
    private func discard(_ connection: PostgresConnection) {
        connection.close()
        freeSlot()
    }

    private func freeSlot() {
        let waiter = state.withLock { state -> Waiter? in
            if !state.isShutdown, !state.waiters.isEmpty {
                return state.waiters.removeFirst()  // the slot passes to the waiter
            }
            state.openCount -= 1
            return nil
        }
        if let waiter {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: .permit)
        }
    }

    private enum Enqueue {
        case enqueued
        case immediate(Lease)
        case fail(PostgresError)
    }

    private func waitForLease() async throws(PostgresError) -> Lease {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                    let outcome = state.withLock { state -> Enqueue in
                        if state.isShutdown { return .fail(PostgresError(code: .poolClosed)) }
                        // Cancellation is checked under the lock, so it cannot slip between the
                        // cancellation handler's removal and this insertion.
                        if Task.isCancelled { return .fail(PostgresError(code: .cancelled)) }
                        if let connection = state.idle.popLast() { return .immediate(.connection(connection)) }
                        if state.openCount < maxConnections {
                            state.openCount += 1
                            return .immediate(.permit)
                        }
                        state.waiters.append(Waiter(id: id, continuation: continuation, timer: nil))
                        return .enqueued
                    }
                    switch outcome {
                    case .fail(let error):
                        continuation.resume(throwing: error)
                    case .immediate(let lease):
                        continuation.resume(returning: lease)
                    case .enqueued:
                        let timeout = acquireTimeout
                        let timer = Task { [weak self] in
                            do {
                                try await Task.sleep(for: timeout)
                            } catch {
                                return
                            }
                            self?.removeWaiter(id, failingWith: PostgresError(
                                code: .poolExhausted,
                                reason: "all \(self?.maxConnections ?? 0) connections stayed busy for \(timeout)"))
                        }
                        state.withLock { state in
                            if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                                state.waiters[index].timer = timer
                            } else {
                                timer.cancel()
                            }
                        }
                    }
                }
            } onCancel: {
                removeWaiter(id, failingWith: PostgresError(code: .cancelled))
            }
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError(code: .cancelled)
        }
    }

    private func removeWaiter(_ id: UInt64, failingWith error: PostgresError) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        if let waiter {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: error)
        }
    }

    private static func rollback(_ connection: PostgresConnection) async {
        // If ROLLBACK cannot be sent the connection stays inside the transaction, so release()
        // closes it and the server rolls back.
        try? await connection.executeIgnoringCancellation("ROLLBACK")
    }
}

extension PostgresConnectionPool {
    /// Runs `body` with this pool, then shuts the pool down whatever `body` does: returns, throws or
    /// is cancelled. Returns and rethrows what `body` does.
    nonisolated(nonsending)
    public func closing<R, E: Error>(_ body: nonisolated(nonsending) (PostgresConnectionPool) async throws(E) -> R) async throws(E) -> R {
        let outcome: Swift.Result<R, E>
        do throws(E) {
            outcome = .success(try await body(self))
        } catch {
            outcome = .failure(error)
        }
        await shutdown()
        return try outcome.get()
    }

    /// A new pool for `configuration`, used by `body` and shut down afterwards whatever happens (see
    /// ``closing(_:)``): for one command or operation that needs a database for a while.
    nonisolated(nonsending)
    public static func using<R, E: Error>(
        configuration: PostgresConfiguration, maxConnections: Int = 1, acquireTimeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "bilet.postgres.pool"),
        _ body: nonisolated(nonsending) (PostgresConnectionPool) async throws(E) -> R
    ) async throws(E) -> R {
        try await PostgresConnectionPool(
            configuration: configuration, maxConnections: maxConnections, acquireTimeout: acquireTimeout, logger: logger
        ).closing(body)
    }
}
