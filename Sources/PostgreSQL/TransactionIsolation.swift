/// The isolation level a transaction starts with.
public enum TransactionIsolation: Sendable, Hashable {
    /// PostgreSQL's default.
    case readCommitted
    /// One snapshot for the whole transaction.
    case repeatableRead
    /// Serializable; conflicting transactions fail with SQLSTATE 40001 and should be retried.
    case serializable

    var beginStatement: SQLStatement {
        switch self {
        case .readCommitted: "BEGIN ISOLATION LEVEL READ COMMITTED"
        case .repeatableRead: "BEGIN ISOLATION LEVEL REPEATABLE READ"
        case .serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE"
        }
    }
}
