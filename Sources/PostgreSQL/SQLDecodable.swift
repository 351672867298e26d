/// One field of a result row as the server sent it: its type and its value in binary format, or
/// `nil` for SQL NULL.
public struct PostgresCell: Sendable {
    /// The column's type.
    public let type: PostgresDataType
    /// The value in binary format; `nil` is SQL NULL.
    public let bytes: [UInt8]?

    /// A cell of `type` holding `bytes` in binary format.
    public init(type: PostgresDataType, bytes: [UInt8]?) {
        self.type = type
        self.bytes = bytes
    }
}

/// Why a cell could not be decoded. Carries no value, only the kind of mismatch.
public enum SQLDecodingFailure: Error, Sendable, Hashable {
    /// The cell is NULL and the requested type is not optional.
    case unexpectedNull
    /// The column's PostgreSQL type cannot be decoded as the requested Swift type.
    case unsupportedType(PostgresDataType)
    /// The bytes do not form a valid value of the column's type.
    case malformed
    /// The value does not fit the requested Swift type.
    case outOfRange

    var explanation: String {
        switch self {
        case .unexpectedNull: "unexpected NULL"
        case .unsupportedType(let type): "column type \(type) is not supported for this Swift type"
        case .malformed: "malformed value"
        case .outOfRange: "value out of range"
        }
    }
}

/// A Swift type a result column can be decoded into (`row.decode(String.self, column: "name")`).
///
/// Built in: `String`, `Int`, `Int32`, `Int64`, `Bool`, `Double`, `[UInt8]` and `Data` (bytea),
/// `Date` (timestamptz, timestamp read as UTC, date), `UUID` and `Optional` of any of these.
public protocol SQLDecodable: Sendable {
    /// Decodes a cell; throws a ``SQLDecodingFailure`` that the row turns into a
    /// ``PostgresError`` naming the column and the Swift type.
    static func sqlDecode(_ cell: PostgresCell) throws(SQLDecodingFailure) -> Self
}

extension PostgresCell {
    /// The bytes of a non-NULL cell, or ``SQLDecodingFailure/unexpectedNull``.
    @inlinable
    public func requireBytes() throws(SQLDecodingFailure) -> [UInt8] {
        guard let bytes else { throw .unexpectedNull }
        return bytes
    }
}
