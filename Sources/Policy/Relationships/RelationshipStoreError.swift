public import PostgreSQL

/// A relationship could not be looked up, recorded or expired in PostgreSQL.
///
/// The description names the code, a fixed reason and the database error's safe description
/// (SQLSTATE and schema objects); never ids, times or the server's message.
public struct RelationshipStoreError: Error, Sendable, CustomStringConvertible {
    /// Stable codes.
    public enum Code: String, Hashable, Sendable {
        /// The fact is malformed: a kind or type that is not an identifier, an empty or overlong
        /// id, `validFrom` not before `validUntil`. Nothing was sent.
        case invalidRelationship = "invalid_relationship"
        /// A time (or a time minus a grace period) is outside what PostgreSQL's `timestamptz` holds.
        case timeOutOfRange = "time_out_of_range"
        /// The database refused or failed; `underlying` says how.
        case database
    }

    public var code: Code
    /// A fixed explanation written by bilet; never contains ids or times.
    public var reason: String
    /// The PostgreSQL error, for `.database` (and for refusals the server made).
    public var underlying: PostgresError?

    /// Creates an error; `reason` must not contain ids or times.
    public init(_ code: Code, _ reason: String, underlying: PostgresError? = nil) {
        self.code = code
        self.reason = reason
        self.underlying = underlying
    }

    /// The SQLSTATE of the underlying server error, when there is one.
    public var sqlState: SQLState? { underlying?.sqlState }

    public var description: String {
        var text = "\(code.rawValue): \(reason)"
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
