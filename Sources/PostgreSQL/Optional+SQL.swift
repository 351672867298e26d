extension Optional: SQLEncodable where Wrapped: SQLEncodable {
    /// The wrapped type; `nil` is sent as a NULL of that type.
    public static var sqlType: PostgresDataType { Wrapped.sqlType }

    public func sqlParameter() throws(PostgresError) -> SQLParameter {
        switch self {
        case .some(let value): try value.sqlParameter()
        case .none: .null(Wrapped.sqlType)
        }
    }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    /// NULL decodes as `nil`; anything else as `Wrapped`.
    public static func sqlDecode(_ cell: PostgresCell) throws(SQLDecodingFailure) -> Wrapped? {
        guard cell.bytes != nil else { return nil }
        return try Wrapped.sqlDecode(cell)
    }
}
