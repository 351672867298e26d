/// The rows a statement returned, copied out of libpq so they can cross tasks and threads.
///
/// Rows are values (``Row``), decoded on demand by column index or name. `commandTag` and
/// `affectedRows` report what the statement did (`INSERT 0 1`, 1).
public struct QueryResult: Sendable, RandomAccessCollection {
    /// A result column: its name and PostgreSQL type.
    public struct Column: Sendable, Hashable {
        /// The column name as the server reports it (lower case unless quoted in SQL).
        public let name: String
        /// The column type.
        public let type: PostgresDataType
    }

    final class Storage: Sendable {
        let columns: [Column]
        /// Row-major cells: `cells[row * columns.count + column]`.
        let cells: [[UInt8]?]
        let rowCount: Int

        init(columns: [Column], cells: [[UInt8]?], rowCount: Int) {
            self.columns = columns
            self.cells = cells
            self.rowCount = rowCount
        }

        func columnIndex(named name: String) -> Int? {
            columns.firstIndex { $0.name == name }
        }
    }

    let storage: Storage

    /// The command tag the server returned, such as `SELECT 3` or `INSERT 0 1`.
    public let commandTag: String
    /// Rows affected by INSERT, UPDATE, DELETE, MERGE, SELECT, MOVE, FETCH or COPY; nil otherwise.
    public let affectedRows: Int?

    init(columns: [Column], cells: [[UInt8]?], rowCount: Int, commandTag: String, affectedRows: Int?) {
        self.storage = Storage(columns: columns, cells: cells, rowCount: rowCount)
        self.commandTag = commandTag
        self.affectedRows = affectedRows
    }

    /// The result columns, in order.
    public var columns: [Column] { storage.columns }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.rowCount }

    public subscript(position: Int) -> Row {
        precondition(position >= 0 && position < storage.rowCount, "row index out of range")
        return Row(storage: storage, index: position)
    }

    /// Decodes the first column of the only row: for `SELECT count(*)` and the like.
    /// Throws ``PostgresError/Code/unexpectedResult`` unless there is exactly one row with at least
    /// one column, and ``PostgresError/Code/decoding`` when the value does not decode.
    public func singleValue<Value: SQLDecodable>(_ type: Value.Type) throws(PostgresError) -> Value {
        guard storage.rowCount == 1, !storage.columns.isEmpty else {
            throw PostgresError(
                code: .unexpectedResult,
                reason: "expected exactly one row, got \(storage.rowCount)")
        }
        return try self[0].decode(type, at: 0)
    }
}
