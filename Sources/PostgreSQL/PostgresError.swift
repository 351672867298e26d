/// Every failure of the PostgreSQL wrapper, with a stable ``Code`` a caller can match on.
///
/// `description` is safe to log: it names the code, the SQLSTATE with its condition name and the
/// schema objects involved (constraint, table, column), never the server's message, detail or hint
/// and never a parameter value, because those can echo personal data. The server's primary message
/// is kept only in ``primaryMessageForDebugging``.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a caller matches on it.
    public enum Code: Hashable, Sendable {
        /// No connection could be opened (bad address, refused, authentication, unknown database).
        case connectionFailed
        /// The connection broke during use (server restart, network); the connection is discarded.
        case connectionLost
        /// Every pooled connection stayed busy for the whole acquire timeout.
        case poolExhausted
        /// The pool (or its thread pool) has been shut down.
        case poolClosed
        /// The calling task was cancelled before the work was sent.
        case cancelled
        /// The server refused the statement; the SQLSTATE says why.
        case server(SQLState)
        /// A parameter cannot be sent as given (for example text holding a NUL byte); nothing was sent.
        case invalidParameter
        /// An identifier cannot be quoted safely (empty, too long, holds a NUL byte).
        case invalidIdentifier
        /// A result column cannot be decoded as the requested Swift type.
        case decoding
        /// The result does not have the shape the caller asked for (for example not exactly one row).
        case unexpectedResult
        /// COMMIT found the transaction already failed, so the server rolled it back.
        case transactionAborted
    }

    /// The stable code.
    public let code: Code
    /// The SQLSTATE the server (or libpq) reported, when there is one.
    public let sqlState: SQLState?
    /// The constraint the server named (for example the unique index of a 23505).
    public let constraint: String?
    /// The schema the server named.
    public let schema: String?
    /// The table the server named.
    public let table: String?
    /// The column: the one the server named, or the result column that failed to decode.
    public let column: String?
    /// For ``Code/invalidParameter``: the 1-based position of the parameter (`$n`).
    public let parameterIndex: Int?
    /// A fixed explanation written by bilet; never contains values.
    public let reason: String?
    /// The server's (or libpq's) primary message. It can echo values, user names or personal data:
    /// use it only while debugging by hand, never in logs, audit records or responses.
    public let primaryMessageForDebugging: String?

    init(
        code: Code,
        sqlState: SQLState? = nil,
        constraint: String? = nil,
        schema: String? = nil,
        table: String? = nil,
        column: String? = nil,
        parameterIndex: Int? = nil,
        reason: String? = nil,
        primaryMessageForDebugging: String? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.constraint = constraint
        self.schema = schema
        self.table = table
        self.column = column
        self.parameterIndex = parameterIndex
        self.reason = reason
        self.primaryMessageForDebugging = primaryMessageForDebugging
    }

    public var description: String {
        var text: String
        switch code {
        case .connectionFailed: text = "PostgreSQL connection failed"
        case .connectionLost: text = "PostgreSQL connection lost"
        case .poolExhausted: text = "PostgreSQL pool exhausted: no connection became free in time"
        case .poolClosed: text = "PostgreSQL pool is shut down"
        case .cancelled: text = "PostgreSQL call cancelled"
        case .server: text = "PostgreSQL server error"
        case .invalidParameter: text = "invalid SQL parameter"
        case .invalidIdentifier: text = "invalid SQL identifier"
        case .decoding: text = "cannot decode PostgreSQL result"
        case .unexpectedResult: text = "unexpected PostgreSQL result"
        case .transactionAborted: text = "transaction aborted by an earlier error and rolled back"
        }
        if let sqlState { text += " \(sqlState)" }
        var details: [String] = []
        if let parameterIndex { details.append("parameter $\(parameterIndex)") }
        if let schema { details.append("schema \"\(schema)\"") }
        if let table { details.append("table \"\(table)\"") }
        if let column { details.append("column \"\(column)\"") }
        if let constraint { details.append("constraint \"\(constraint)\"") }
        if !details.isEmpty { text += " (" + details.joined(separator: ", ") + ")" }
        if let reason { text += ": " + reason }
        return text
    }
}
