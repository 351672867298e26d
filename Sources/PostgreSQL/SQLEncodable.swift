/// One bound parameter as it goes to the server: its type and its value in PostgreSQL's binary
/// format, or `nil` for SQL NULL.
public struct SQLParameter: Sendable, Hashable {
    /// The type the server is told the parameter has.
    public let type: PostgresDataType
    /// The value in binary format; `nil` is SQL NULL.
    public let binaryValue: [UInt8]?

    /// A parameter of `type` with `binaryValue` in PostgreSQL's binary format for that type.
    public init(type: PostgresDataType, binaryValue: [UInt8]?) {
        self.type = type
        self.binaryValue = binaryValue
    }

    /// SQL NULL, typed so the server can still infer the statement's parameter types.
    public static func null(_ type: PostgresDataType) -> SQLParameter {
        SQLParameter(type: type, binaryValue: nil)
    }
}

/// A Swift value that can be bound as a statement parameter (`\(value)` in an ``SQLStatement``).
///
/// Values are always sent separately from the SQL text, in binary format; they never become SQL.
/// Built in: `String`, `Int`, `Int32`, `Int64`, `Bool`, `Double`, `[UInt8]` and `Data` (bytea),
/// `Date` (timestamptz), `UUID` and `Optional` of any of these (nil is NULL).
public protocol SQLEncodable: Sendable {
    /// The PostgreSQL type of the parameter, also used when the value is nil.
    static var sqlType: PostgresDataType { get }

    /// The value as a parameter. Throws ``PostgresError/Code/invalidParameter`` when the value cannot
    /// be represented (text holding a NUL byte); the error never contains the value.
    func sqlParameter() throws(PostgresError) -> SQLParameter
}
