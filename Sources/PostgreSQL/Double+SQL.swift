extension Double: SQLEncodable, SQLDecodable {
    /// Sent as `float8`.
    public static var sqlType: PostgresDataType { .float8 }

    public func sqlParameter() throws(PostgresError) -> SQLParameter {
        SQLParameter(type: .float8, binaryValue: BigEndianBytes.encode(bitPattern))
    }

    /// Decodes `float8` and `float4` columns.
    public static func sqlDecode(_ cell: PostgresCell) throws(SQLDecodingFailure) -> Double {
        let bytes = try cell.requireBytes()
        switch cell.type {
        case .float8:
            guard let bits = BigEndianBytes.decode(UInt64.self, from: bytes) else { throw .malformed }
            return Double(bitPattern: bits)
        case .float4:
            guard let bits = BigEndianBytes.decode(UInt32.self, from: bytes) else { throw .malformed }
            return Double(Float(bitPattern: bits))
        default:
            throw .unsupportedType(cell.type)
        }
    }
}
