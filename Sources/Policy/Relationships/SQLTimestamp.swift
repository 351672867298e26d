import PostgreSQL

/// A `Timestamp` bound as a `timestamptz` parameter, exactly: whole seconds become microseconds
/// since PostgreSQL's epoch (2000-01-01T00:00:00Z), with no floating-point step in between.
struct SQLTimestamp: SQLEncodable {
    /// Seconds from 1970-01-01 to 2000-01-01.
    static let postgresEpoch: Int64 = 946_684_800

    static var sqlType: PostgresDataType { .timestamptz }

    let microseconds: Int64

    /// Nil when the microsecond count overflows 64 bits (hundreds of thousands of years away); the
    /// server refuses anything outside its own range (4713 BC to 294276 AD) with 22008.
    init?(_ timestamp: Timestamp) {
        let (shifted, overflow1) = timestamp.secondsSinceEpoch.subtractingReportingOverflow(Self.postgresEpoch)
        let (micros, overflow2) = shifted.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow1, !overflow2 else { return nil }
        microseconds = micros
    }

    func sqlParameter() throws(PostgresError) -> SQLParameter {
        SQLParameter(type: .timestamptz, binaryValue: withUnsafeBytes(of: microseconds.bigEndian) { Array($0) })
    }
}
