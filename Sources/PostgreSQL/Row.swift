/// One row of a ``QueryResult``, decoded column by column into Swift types.
///
/// A decoding failure throws ``PostgresError/Code/decoding`` naming the column, its PostgreSQL
/// type and the Swift type asked for; it never contains the value.
public struct Row: Sendable {
    let storage: QueryResult.Storage
    let index: Int

    /// The number of columns.
    public var columnCount: Int { storage.columns.count }

    /// The result columns, in order.
    public var columns: [QueryResult.Column] { storage.columns }

    /// Decodes column `index` (0-based) as `Value`.
    public func decode<Value: SQLDecodable>(_ type: Value.Type, at column: Int) throws(PostgresError) -> Value {
        guard column >= 0 && column < storage.columns.count else {
            throw PostgresError(
                code: .decoding,
                reason: "no column at index \(column) (the row has \(storage.columns.count))")
        }
        let description = storage.columns[column]
        let cell = PostgresCell(
            type: description.type, bytes: storage.cells[index * storage.columns.count + column])
        do {
            return try Value.sqlDecode(cell)
        } catch {
            throw PostgresError(
                code: .decoding,
                column: description.name,
                reason: "cannot decode \(description.type) as \(Value.self): \(error.explanation)")
        }
    }

    /// Decodes the column called `name` (the first one, if several share it) as `Value`.
    public func decode<Value: SQLDecodable>(_ type: Value.Type, column name: String) throws(PostgresError) -> Value {
        guard let column = storage.columnIndex(named: name) else {
            throw PostgresError(code: .decoding, column: name, reason: "no such column in the result")
        }
        return try decode(type, at: column)
    }

    /// Whether column `index` is SQL NULL.
    public func isNull(at column: Int) -> Bool {
        storage.cells[index * storage.columns.count + column] == nil
    }
}
