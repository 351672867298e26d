public import struct Foundation.Date

extension Date: SQLEncodable, SQLDecodable {
    /// Sent as `timestamptz` with microsecond precision (rounded).
    public static var sqlType: PostgresDataType { .timestamptz }

    /// Seconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 00:00:00 UTC.
    static let postgresEpochOffset: Double = 946_684_800

    /// Refuses dates that do not fit PostgreSQL's microsecond range with
    /// ``PostgresError/Code/invalidParameter``.
    public func sqlParameter() throws(PostgresError) -> SQLParameter {
        let microseconds = ((timeIntervalSince1970 - Self.postgresEpochOffset) * 1_000_000).rounded()
        guard let value = Int64(exactly: microseconds), value != .max, value != .min else {
            throw PostgresError(code: .invalidParameter, reason: "date outside the timestamptz range")
        }
        return SQLParameter(type: .timestamptz, binaryValue: BigEndianBytes.encode(value))
    }

    /// Decodes `timestamptz`, `timestamp` (read as UTC) and `date` (midnight UTC) columns.
    /// PostgreSQL's `infinity` and `-infinity` become `distantFuture` and `distantPast`.
    public static func sqlDecode(_ cell: PostgresCell) throws(SQLDecodingFailure) -> Date {
        let bytes = try cell.requireBytes()
        switch cell.type {
        case .timestamptz, .timestamp:
            guard let micros = BigEndianBytes.decode(Int64.self, from: bytes) else { throw .malformed }
            if micros == .max { return .distantFuture }
            if micros == .min { return .distantPast }
            return Date(timeIntervalSince1970: Double(micros) / 1_000_000 + postgresEpochOffset)
        case .date:
            guard let days = BigEndianBytes.decode(Int32.self, from: bytes) else { throw .malformed }
            if days == .max { return .distantFuture }
            if days == .min { return .distantPast }
            return Date(timeIntervalSince1970: Double(days) * 86_400 + postgresEpochOffset)
        default:
            throw .unsupportedType(cell.type)
        }
    }
}
