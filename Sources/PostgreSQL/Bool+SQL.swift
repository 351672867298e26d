extension Bool: SQLEncodable, SQLDecodable {
    /// Sent as `bool`.
    public static var sqlType: PostgresDataType { .bool }

    public func sqlParameter() throws(PostgresError) -> SQLParameter {
        SQLParameter(type: .bool, binaryValue: [self ? 1 : 0])
    }

    /// Decodes `bool` columns.
    public static func sqlDecode(_ cell: PostgresCell) throws(SQLDecodingFailure) -> Bool {
        let bytes = try cell.requireBytes()
        guard cell.type == .bool else { throw .unsupportedType(cell.type) }
        guard bytes.count == 1 else { throw .malformed }
        return bytes[0] != 0
    }
}
