public import Logging
public import NIOPosix
import Synchronization

/// One libpq connection to PostgreSQL.
///
/// Every blocking libpq call (connecting, executing) runs on an `NIOThreadPool` thread through
/// `runIfActive`, never on an event loop or Swift's cooperative pool. Calls on one connection are
/// serialised; use a ``PostgresConnectionPool`` to run work in parallel. A call made from a task
/// that is already cancelled is not sent and throws ``PostgresError/Code/cancelled``.
///
/// Statements are prepared once per connection and reused by name (transparent caching, keyed by
/// SQL text and parameter types) unless their text contains identifiers or
/// ``PostgresConfiguration/statementCacheCapacity`` is 0.
///
/// LISTEN/NOTIFY: a dedicated connection (not a pooled one: the pool drops notifications of idle
/// connections) runs ``listen(_:)`` and then ``notifications(waitingAtMost:)`` in a loop; see
/// `PostgresConnection+Notifications.swift`.
public final class PostgresConnection: Sendable {
    private let session: Mutex<LibPQConnection>
    private let threadPool: NIOThreadPool
    private let logger: Logger

    /// The host or socket directory libpq connected to (with a multi-host connection string, the
    /// one it chose), as reported by `PQhost`.
    public let host: String?
    /// The server version number, such as `150018` for 15.18.
    public let serverVersion: Int

    private init(session: sending LibPQConnection, threadPool: NIOThreadPool, logger: Logger) {
        self.host = session.host
        self.serverVersion = session.serverVersion
        self.session = Mutex(session)
        self.threadPool = threadPool
        self.logger = logger
    }

    /// Opens a connection. The connection string goes to libpq untouched; see
    /// ``PostgresConfiguration``.
    /// - Throws: ``PostgresError/Code/connectionFailed`` (with libpq's message only in
    ///   ``PostgresError/primaryMessageForDebugging``), ``PostgresError/Code/cancelled``,
    ///   ``PostgresError/Code/poolClosed`` when the thread pool is not running.
    public static func connect(
        configuration: PostgresConfiguration,
        threadPool: NIOThreadPool,
        logger: Logger = Logger(label: "bilet.postgres")
    ) async throws(PostgresError) -> PostgresConnection {
        let parameters = try configuration.libpqParameters()
        let capacity = configuration.statementCacheCapacity
        let box = try await onThreadPool(threadPool) { () throws(PostgresError) -> SessionBox in
            SessionBox(try LibPQConnection.connect(parameters: parameters, statementCacheCapacity: capacity))
        }
        let connection = PostgresConnection(session: box.take(), threadPool: threadPool, logger: logger)
        logger.debug("postgres connection opened", metadata: ["host": "\(connection.host ?? "-")"])
        return connection
    }

    /// Runs a statement and returns its rows.
    /// - Throws: ``PostgresError``: `.server(SQLState)` when the server refuses it,
    ///   `.invalidParameter` (nothing sent) when a parameter cannot be encoded, `.connectionLost`,
    ///   `.cancelled`.
    public func query(_ statement: SQLStatement) async throws(PostgresError) -> QueryResult {
        if let error = statement.parameterError { throw error }
        return try await withSession { session throws(PostgresError) in try session.execute(statement) }
    }

    /// Runs a statement and returns the number of rows it affected (0 when the command does not
    /// report one).
    @discardableResult
    public func execute(_ statement: SQLStatement) async throws(PostgresError) -> Int {
        try await query(statement).affectedRows ?? 0
    }

    /// Runs a multi-statement script (simple query protocol). Statements run in one implicit
    /// transaction unless the script itself, or an enclosing `BEGIN`, says otherwise.
    public func execute(script: SQLScript) async throws(PostgresError) {
        try await withSession { session throws(PostgresError) in try session.execute(script: script) }
    }

    /// Closes the connection. Does not block (libpq's socket is non-blocking); idempotent.
    public func close() {
        session.withLock { $0.close() }
    }

    /// Whether the connection is open and idle outside a transaction, so it can be reused.
    public var isReusable: Bool {
        session.withLock { $0.isReusable }
    }

    /// Checks an idle connection without blocking: reads pending input (`PQconsumeInput`), then
    /// checks `PQstatus` and the transaction status. `false` after the server restarted or the
    /// connection dropped.
    public func validateIdle() -> Bool {
        session.withLock { $0.validateIdle() }
    }

    /// Runs `work` with exclusive use of the libpq session, on the thread pool.
    func withSession<T: Sendable>(
        _ work: @escaping @Sendable (LibPQConnection) throws(PostgresError) -> T
    ) async throws(PostgresError) -> T {
        try await Self.onThreadPool(threadPool) { () throws(PostgresError) -> T in
            try self.session.withLock { (session: inout sending LibPQConnection) throws(PostgresError) -> T in
                try work(session)
            }
        }
    }

    /// Like `withSession` but also runs when the calling task is cancelled: for the cleanup that
    /// must happen anyway (ROLLBACK).
    func executeIgnoringCancellation(_ statement: SQLStatement) async throws(PostgresError) {
        let task = Task { () async -> PostgresError? in
            do throws(PostgresError) {
                try await self.withSession { session throws(PostgresError) in _ = try session.execute(statement) }
                return nil
            } catch {
                return error
            }
        }
        if let error = await task.value { throw error }
    }

    private static func onThreadPool<T: Sendable>(
        _ threadPool: NIOThreadPool,
        _ work: @escaping @Sendable () throws(PostgresError) -> T
    ) async throws(PostgresError) -> T {
        do {
            return try await threadPool.runIfActive { () throws -> T in try work() }
        } catch let error as PostgresError {
            throw error
        } catch is CancellationError {
            throw PostgresError(code: .cancelled)
        } catch {
            throw PostgresError(code: .poolClosed, reason: "the thread pool is not running")
        }
    }
}

/// Carries a freshly opened, not yet shared libpq session out of the thread pool.
private final class SessionBox: @unchecked Sendable {
    private var session: LibPQConnection?

    init(_ session: LibPQConnection) {
        self.session = session
    }

    func take() -> sending LibPQConnection {
        let taken = session!
        session = nil
        return taken
    }
}
