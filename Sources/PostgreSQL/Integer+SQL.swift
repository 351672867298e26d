extension Int64: SQLEncodable, SQLDecodable {
    /// Sent as `int8`.
    public static var sqlType: PostgresDataType { .int8 }

    public func sqlParameter() throws(PostgresError) -> SQLParameter {
        SQLParameter(type: .int8, binaryValue: BigEndianBytes.encode(self))
    }

    /// Decodes `int2`, `int4`, `int8` and `oid` columns.
    public static func sqlDecode(_ cell: PostgresCell) throws(SQLDecodingFailure) -> Int64 {
        let bytes = try cell.requireBytes()
        let value: Int64?
        switch cell.type {
        case .int2: value = BigEndianBytes.decode(Int16.self, from: bytes).map(Int64.init)
        case .int4: value = BigEndianBytes.decode(Int32.self, from: bytes).map(Int64.init)
        case .int8: value = BigEndianBytes.decode(Int64.self, from: bytes)
        case .oid: value = BigEndianBytes.decode(UInt32.self, from: bytes).map(Int64.init)
        default: throw .unsupportedType(cell.type)
        }
        guard let value else { throw .malformed }
        return value
    }
}

extension Int: SQLEncodable, SQLDecodable {
    /// Sent as `int8`.
    public static var sqlType: PostgresDataType { .int8 }

    public func sqlParameter() throws(PostgresError) -> SQLParameter {
        try Int64(self).sqlParameter()
    }

    /// Decodes `int2`, `int4`, `int8` and `oid` columns.
    public static func sqlDecode(_ cell: PostgresCell) throws(SQLDecodingFailure) -> Int {
        let wide = try Int64.sqlDecode(cell)
        guard let value = Int(exactly: wide) else { throw .outOfRange }
        return value
    }
}

extension Int32: SQLEncodable, SQLDecodable {
    /// Sent as `int4`.
    public static var sqlType: PostgresDataType { .int4 }

    public func sqlParameter() throws(PostgresError) -> SQLParameter {
        SQLParameter(type: .int4, binaryValue: BigEndianBytes.encode(self))
    }

    /// Decodes `int2`, `int4`, `int8` and `oid` columns; a value outside `Int32` fails with
    /// ``SQLDecodingFailure/outOfRange``.
    public static func sqlDecode(_ cell: PostgresCell) throws(SQLDecodingFailure) -> Int32 {
        let wide = try Int64.sqlDecode(cell)
        guard let value = Int32(exactly: wide) else { throw .outOfRange }
        return value
    }
}
