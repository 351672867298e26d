public import struct Foundation.Data

extension Array: SQLEncodable, SQLDecodable where Element == UInt8 {
    /// Sent as `bytea`, in binary format, so every byte (NUL included) arrives unchanged.
    public static var sqlType: PostgresDataType { .bytea }

    public func sqlParameter() throws(PostgresError) -> SQLParameter {
        SQLParameter(type: .bytea, binaryValue: self)
    }

    /// Decodes `bytea` columns.
    public static func sqlDecode(_ cell: PostgresCell) throws(SQLDecodingFailure) -> [UInt8] {
        let bytes = try cell.requireBytes()
        guard cell.type == .bytea else { throw .unsupportedType(cell.type) }
        return bytes
    }
}

extension Data: SQLEncodable, SQLDecodable {
    /// Sent as `bytea`, in binary format.
    public static var sqlType: PostgresDataType { .bytea }

    public func sqlParameter() throws(PostgresError) -> SQLParameter {
        SQLParameter(type: .bytea, binaryValue: Array(self))
    }

    /// Decodes `bytea` columns.
    public static func sqlDecode(_ cell: PostgresCell) throws(SQLDecodingFailure) -> Data {
        Data(try [UInt8].sqlDecode(cell))
    }
}
