extension String: SQLEncodable, SQLDecodable {
    /// Sent as `text`.
    public static var sqlType: PostgresDataType { .text }

    /// Refuses text holding a NUL byte (PostgreSQL text cannot store U+0000) with
    /// ``PostgresError/Code/invalidParameter``, before anything is sent.
    public func sqlParameter() throws(PostgresError) -> SQLParameter {
        let bytes = Array(utf8)
        guard !bytes.contains(0) else {
            throw PostgresError(
                code: .invalidParameter,
                reason: "text contains a NUL byte, which PostgreSQL text cannot hold")
        }
        return SQLParameter(type: .text, binaryValue: bytes)
    }

    /// Decodes `text`, `varchar`, `bpchar`, `name`, `"char"`, `json` and `jsonb` columns as UTF-8.
    public static func sqlDecode(_ cell: PostgresCell) throws(SQLDecodingFailure) -> String {
        let bytes = try cell.requireBytes()
        let utf8: ArraySlice<UInt8>
        switch cell.type {
        case .text, .varchar, .bpchar, .name, .char, .json, .unknown:
            utf8 = bytes[...]
        case .jsonb:
            // Binary jsonb is a version byte (1) followed by the JSON text.
            guard bytes.first == 1 else { throw .malformed }
            utf8 = bytes.dropFirst()
        default:
            throw .unsupportedType(cell.type)
        }
        guard let string = String(validating: utf8, as: UTF8.self) else { throw .malformed }
        return string
    }
}
