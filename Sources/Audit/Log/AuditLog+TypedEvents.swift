public import PostgreSQL

extension AuditLog {
    /// Appends a typed record; as ``append(_:on:)``.
    public func append(_ record: some TypedAuditEvent, on connection: PostgresConnection) async throws(AuditError) {
        try await append(record.event, on: connection)
    }

    /// Appends typed records with one round trip; as ``append(contentsOf:on:)``.
    public func append(records: [any TypedAuditEvent], on connection: PostgresConnection) async throws(AuditError) {
        try await append(contentsOf: records.map(\.event), on: connection)
    }

    /// Appends a typed record in a transaction of its own; as ``append(_:using:)``.
    public func append(_ record: some TypedAuditEvent, using pool: PostgresConnectionPool) async throws(AuditError) {
        try await append(record.event, using: pool)
    }
}
