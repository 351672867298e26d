import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The only owner of one libpq `PGconn`. Every libpq call of the wrapper lives in this file.
///
/// Not thread safe by itself: ``PostgresConnection`` keeps it behind a mutex and calls the blocking
/// functions (connect, execute) from an `NIOThreadPool` thread only. The non-blocking ones
/// (`PQconsumeInput`, `PQstatus`, `PQfinish` on libpq's always-non-blocking socket) may run inline.
final class LibPQConnection {
    private var conn: OpaquePointer?
    /// Prepared statements by SQL text and parameter types.
    private var statementCache: [StatementKey: String] = [:]
    private var nextStatementNumber = 0
    private let statementCacheCapacity: Int
    /// Set when the connection was left in a state bilet cannot continue from (COPY mode).
    private var isPoisoned = false

    private struct StatementKey: Hashable {
        let sql: String
        let types: [UInt32]
    }

    private init(conn: OpaquePointer, statementCacheCapacity: Int) {
        self.conn = conn
        self.statementCacheCapacity = statementCacheCapacity
    }

    deinit {
        if let conn { PQfinish(conn) }
    }

    // MARK: Connecting

    /// Opens a connection with `PQconnectdbParams(expand_dbname: 1)`. Blocking.
    static func connect(
        parameters: [(keyword: String, value: String)], statementCacheCapacity: Int
    ) throws(PostgresError) -> LibPQConnection {
        let keywords = parameters.map { strdup($0.keyword) }
        let values = parameters.map { strdup($0.value) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keywordPointers = keywords.map { UnsafePointer($0) } + [nil]
        let valuePointers = values.map { UnsafePointer($0) } + [nil]
        let conn = PQconnectdbParams(keywordPointers, valuePointers, 1)
        guard let conn else {
            throw PostgresError(code: .connectionFailed, reason: "libpq could not allocate a connection")
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(conn))
            PQfinish(conn)
            throw PostgresError(code: .connectionFailed, primaryMessageForDebugging: message)
        }
        // libpq prints notices (for example "relation already exists, skipping") to stderr by
        // default; they can echo values, so they are dropped.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        return LibPQConnection(conn: conn, statementCacheCapacity: statementCacheCapacity)
    }

    /// Whether `connectionString` sets a non-empty `password` (`PQconninfoParse`); `true` when libpq
    /// cannot parse it.
    static func connectionStringCarriesPassword(_ connectionString: String) -> Bool {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &error) else {
            if let error { PQfreemem(error) }
            return true
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", let value = option.pointee.val, value.pointee != 0 { return true }
            option += 1
        }
        return false
    }

    /// The environment variables (`PGHOST`, `PGUSER`, `PGPASSWORD`, …) that make a libpq program
    /// such as `pg_dump` connect exactly as `PQconnectdbParams(parameters, expand_dbname: 1)` would,
    /// so nothing (a password above all) has to be a command-line argument, which any local user can
    /// read in `/proc/<pid>/cmdline`.
    ///
    /// The first `dbname` is expanded like libpq does (`PQconninfoParse` when it is a connection string:
    /// it contains `=` or starts with `postgresql://` or `postgres://`); every later entry is taken
    /// as it is and wins over the same option before it. Each option goes to its `envvar` as libpq names it.
    ///
    /// - Throws: ``PostgresError/Code/invalidParameter`` when the string cannot be parsed or sets an
    ///   option libpq reads from no environment variable (it could not be passed on without an argument).
    static func environment(for parameters: [(keyword: String, value: String)]) throws(PostgresError) -> [String: String] {
        guard let defaults = PQconndefaults() else {
            throw PostgresError(code: .invalidParameter, reason: "libpq could not list its connection options")
        }
        defer { PQconninfoFree(defaults) }
        var variables: [String: String] = [:]
        var option = defaults
        while let keyword = option.pointee.keyword {
            if let variable = option.pointee.envvar { variables[String(cString: keyword)] = String(cString: variable) }
            option += 1
        }
        func variable(for keyword: String) throws(PostgresError) -> String {
            guard let variable = variables[keyword] else {
                throw PostgresError(
                    code: .invalidParameter, reason: "connection option \(keyword) has no environment variable to pass it to a program")
            }
            return variable
        }

        var environment: [String: String] = [:]
        for (index, pair) in parameters.enumerated() {
            let expands = index == 0 && pair.keyword == "dbname"
                && (pair.value.contains("=") || pair.value.hasPrefix("postgresql://") || pair.value.hasPrefix("postgres://"))
            guard expands else {
                environment[try variable(for: pair.keyword)] = pair.value
                continue
            }
            var error: UnsafeMutablePointer<CChar>?
            guard let options = PQconninfoParse(pair.value, &error) else {
                if let error { PQfreemem(error) }
                throw PostgresError(code: .invalidParameter, reason: "the connection string cannot be parsed")
            }
            defer { PQconninfoFree(options) }
            var parsed = options
            while let keyword = parsed.pointee.keyword {
                if let value = parsed.pointee.val {
                    environment[try variable(for: String(cString: keyword))] = String(cString: value)
                }
                parsed += 1
            }
        }
        return environment
    }

    /// The SCRAM-SHA-256 verifier of `password` for `user`, computed here (`PQencryptPasswordConn`),
    /// so the password itself never reaches the server or its logs. Blocking (it may ask the server
    /// for `password_encryption`; bilet names the algorithm, so it does not).
    func scramVerifier(password: String, user: String) throws(PostgresError) -> String {
        guard let conn else { throw PostgresError(code: .connectionLost, reason: "connection is closed") }
        guard let verifier = PQencryptPasswordConn(conn, password, user, "scram-sha-256") else {
            throw PostgresError(code: .invalidParameter, reason: "libpq could not compute the SCRAM verifier")
        }
        defer { PQfreemem(verifier) }
        return String(cString: verifier)
    }

    // MARK: State

    /// The host (or socket directory) libpq actually connected to; with a multi-host connection
    /// string, the one that was chosen.
    var host: String? {
        guard let conn, let host = PQhost(conn) else { return nil }
        return String(cString: host)
    }

    /// The server's version number, such as 150018.
    var serverVersion: Int {
        guard let conn else { return 0 }
        return Int(PQserverVersion(conn))
    }

    var isOpen: Bool { conn != nil }

    /// Whether the connection is open, healthy and outside any transaction, so the pool may hand it
    /// out again. Does not read from the socket.
    var isReusable: Bool {
        guard let conn, !isPoisoned else { return false }
        return PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE
    }

    /// Checks an idle connection before reuse: reads whatever the server sent while it was idle (a
    /// termination notice after a restart, end of file) without blocking, then checks the status.
    func validateIdle() -> Bool {
        guard let conn, !isPoisoned else { return false }
        // A server that shut down sends a termination message and then closes the socket. One
        // read may return just the message; the next one sees end of file and marks the
        // connection bad. Reads never block: libpq's socket is non-blocking.
        for _ in 0..<2 {
            guard PQconsumeInput(conn) == 1 else { return false }
        }
        while let notify = PQnotifies(conn) {
            // Pooled connections do not LISTEN (a dedicated connection does, see
            // waitForNotifications); anything that arrived here is dropped.
            PQfreemem(notify)
        }
        return PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE
    }

    // MARK: Notifications

    /// Returns the notifications (LISTEN/NOTIFY) libpq already holds; if there are none, waits up
    /// to `timeoutMilliseconds` for the socket to become readable (`poll`), reads what arrived
    /// (`PQconsumeInput`) and returns the notifications in it, possibly none. Blocking: call it on
    /// the thread pool, on a dedicated connection that runs no other statements meanwhile.
    func waitForNotifications(timeoutMilliseconds: Int32) throws(PostgresError) -> [PostgresNotification] {
        guard let conn, !isPoisoned else { throw PostgresError(code: .connectionLost, reason: "connection is closed") }
        var notifications = Self.drainNotifications(conn)
        if notifications.isEmpty {
            let socket = PQsocket(conn)
            guard socket >= 0 else { throw PostgresError(code: .connectionLost, reason: "connection has no socket") }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, timeoutMilliseconds)
            if ready < 0 && errno != EINTR {
                throw PostgresError(code: .connectionLost, reason: "waiting for the socket failed")
            }
            if ready > 0 {
                guard PQconsumeInput(conn) == 1 else {
                    throw PostgresError(code: .connectionLost, reason: "the server closed the connection")
                }
                notifications = Self.drainNotifications(conn)
            }
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            throw PostgresError(code: .connectionLost, reason: "the server closed the connection")
        }
        return notifications
    }

    private static func drainNotifications(_ conn: OpaquePointer) -> [PostgresNotification] {
        var notifications: [PostgresNotification] = []
        while let notify = PQnotifies(conn) {
            let entry = notify.pointee
            notifications.append(
                PostgresNotification(
                    channel: entry.relname.map { String(cString: $0) } ?? "",
                    payload: entry.extra.map { String(cString: $0) } ?? "",
                    processID: entry.be_pid))
            PQfreemem(notify)
        }
        return notifications
    }

    /// Closes the connection (sends Terminate, closes the socket; does not wait).
    func close() {
        if let conn { PQfinish(conn) }
        conn = nil
        statementCache.removeAll()
    }

    // MARK: Executing

    /// Runs one statement with the extended query protocol, parameters and results in binary
    /// format. Blocking.
    func execute(_ statement: SQLStatement) throws(PostgresError) -> QueryResult {
        if let error = statement.parameterError { throw error }
        guard let conn else { throw PostgresError(code: .connectionLost, reason: "connection is closed") }

        let parameters = statement.parameters
        let types = parameters.map { $0.type.rawValue }
        let lengths = parameters.map { Int32($0.binaryValue?.count ?? 0) }
        let formats = [Int32](repeating: 1, count: parameters.count)
        // All values in one buffer with a trailing byte, so even an empty non-NULL value has a
        // non-nil address.
        var buffer: [UInt8] = []
        var offsets: [Int?] = []
        for parameter in parameters {
            if let value = parameter.binaryValue {
                offsets.append(buffer.count)
                buffer.append(contentsOf: value)
            } else {
                offsets.append(nil)
            }
        }
        buffer.append(0)

        let key = StatementKey(sql: statement.sql, types: types)
        let preparedName = try preparedStatementName(for: key, cacheable: statement.isCacheable, conn: conn)

        let result: OpaquePointer? = buffer.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!)
            let values: [UnsafePointer<CChar>?] = offsets.map { offset in
                offset.map { (base + $0).assumingMemoryBound(to: CChar.self) }
            }
            if let preparedName {
                return PQexecPrepared(
                    conn, preparedName, Int32(parameters.count), values, lengths, formats, 1)
            } else {
                return PQexecParams(
                    conn, statement.sql, Int32(parameters.count), types, values, lengths, formats, 1)
            }
        }
        do {
            return try consume(result)
        } catch {
            if preparedName != nil,
                error.sqlState == .invalidSQLStatementName || error.sqlState == .featureNotSupported
            {
                // The server no longer has the statement, or its cached plan changed result type.
                statementCache[key] = nil
            }
            throw error
        }
    }

    /// Runs a multi-statement script with the simple query protocol (`PQexec`). Blocking.
    func execute(script: SQLScript) throws(PostgresError) {
        guard let conn else { throw PostgresError(code: .connectionLost, reason: "connection is closed") }
        _ = try consume(PQexec(conn, script.sql))
    }

    /// The name of the prepared statement for `key`, preparing it first when needed; `nil` when
    /// the statement is to be sent unnamed.
    private func preparedStatementName(
        for key: StatementKey, cacheable: Bool, conn: OpaquePointer
    ) throws(PostgresError) -> String? {
        guard cacheable, statementCacheCapacity > 0 else { return nil }
        if let name = statementCache[key] { return name }
        guard statementCache.count < statementCacheCapacity else { return nil }
        nextStatementNumber += 1
        let name = "bilet_\(nextStatementNumber)"
        _ = try consume(PQprepare(conn, name, key.sql, Int32(key.types.count), key.types))
        statementCache[key] = name
        return name
    }

    /// Turns a libpq result into a ``QueryResult`` or a ``PostgresError``, and frees it.
    private func consume(_ result: OpaquePointer?) throws(PostgresError) -> QueryResult {
        guard let result else { throw currentError(result: nil) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Self.makeResult(result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            isPoisoned = true
            throw PostgresError(code: .unexpectedResult, reason: "COPY is not supported; connection discarded")
        default:
            throw currentError(result: result)
        }
    }

    private func currentError(result: OpaquePointer?) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C").map(SQLState.init(rawValue:))
        let primary = field("M") ?? conn.map { String(cString: PQerrorMessage($0)) }
        let code: PostgresError.Code
        if conn == nil || PQstatus(conn) != CONNECTION_OK {
            code = .connectionLost
        } else if let sqlState {
            code = .server(sqlState)
        } else {
            code = .unexpectedResult
        }
        return PostgresError(
            code: code,
            sqlState: sqlState,
            constraint: field("n"),
            schema: field("s"),
            table: field("t"),
            column: field("c"),
            primaryMessageForDebugging: primary)
    }

    private static func makeResult(_ result: OpaquePointer) -> QueryResult {
        let fieldCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<fieldCount).map { index in
            QueryResult.Column(
                name: String(cString: PQfname(result, Int32(index))),
                type: PostgresDataType(rawValue: PQftype(result, Int32(index))))
        }
        var cells: [[UInt8]?] = []
        cells.reserveCapacity(fieldCount * rowCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(fieldCount) {
                if PQgetisnull(result, row, column) == 1 {
                    cells.append(nil)
                } else {
                    let length = Int(PQgetlength(result, row, column))
                    let value = UnsafeRawBufferPointer(start: PQgetvalue(result, row, column), count: length)
                    cells.append(Array(value))
                }
            }
        }
        let tag = String(cString: PQcmdStatus(result))
        let affected = Int(String(cString: PQcmdTuples(result)))
        return QueryResult(
            columns: columns, cells: cells, rowCount: rowCount, commandTag: tag, affectedRows: affected)
    }
}
