public import struct Foundation.UUID

extension UUID: SQLEncodable, SQLDecodable {
    /// Sent as `uuid`.
    public static var sqlType: PostgresDataType { .uuid }

    public func sqlParameter() throws(PostgresError) -> SQLParameter {
        SQLParameter(type: .uuid, binaryValue: withUnsafeBytes(of: uuid) { Array($0) })
    }

    /// Decodes `uuid` columns.
    public static func sqlDecode(_ cell: PostgresCell) throws(SQLDecodingFailure) -> UUID {
        let bytes = try cell.requireBytes()
        guard cell.type == .uuid else { throw .unsupportedType(cell.type) }
        guard bytes.count == 16 else { throw .malformed }
        var value = UUID().uuid
        withUnsafeMutableBytes(of: &value) { raw in
            raw.copyBytes(from: bytes)
        }
        return UUID(uuid: value)
    }
}
