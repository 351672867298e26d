import Foundation
public import PostgreSQL

/// The append path: writes an ``AuditEvent`` in the caller's database transaction, so the record
/// exists exactly when the action it describes committed. If the record cannot be written the
/// call throws and the caller's transaction (and so the action) fails.
///
/// The append is one statement, `SELECT audit.append(…)`, which INSERTs with lock waits bounded
/// by ``lockTimeout``: a blocked or slow audit table fails the action with
/// ``AuditError/Code/unavailable`` (answer 503) within the bound instead of hanging it. An
/// unreachable database fails at once (or after the pool's acquire timeout). Nothing is hashed
/// here; the ``AuditSequencer`` integrates committed events into the Merkle tree afterwards.
///
/// Several events of one action go in with ``append(contentsOf:on:)``: one statement,
/// `SELECT audit.append_batch(…)`, with the same bound, all or nothing.
///
/// The database role only needs INSERT on `audit.events` and EXECUTE on `audit.append` and
/// `audit.append_batch`. The database itself records which role wrote each record
/// (`written_by`), refuses an event kind the role is not allowed to write
/// (`audit.writer_kinds`, the catalogue's `writers`; ``AuditError/Code/refused``) and a record
/// above the size caps (``AuditError/Code/tooLarge``).
public struct AuditLog: Sendable {
    /// The catalogue events are checked against.
    public let catalogue: AuditCatalogue
    /// The longest an append waits for a lock on the audit table.
    public let lockTimeout: Duration

    /// The largest payload accepted, in bytes of JSON text (the database measures the payload as
    /// it renders jsonb, which is never shorter than the compact JSON checked here).
    public static let maximumPayloadBytes = 16_384

    /// An appender.
    public init(catalogue: AuditCatalogue = .current, lockTimeout: Duration = .milliseconds(500)) {
        self.catalogue = catalogue
        self.lockTimeout = lockTimeout
    }

    /// Appends `event` inside the transaction open on `connection`.
    ///
    /// - Throws: ``AuditError/Code/invalidEvent`` or ``AuditError/Code/tooLarge`` (nothing sent),
    ///   ``AuditError/Code/unavailable``, ``AuditError/Code/refused`` (also when this role may not
    ///   write the event's kind), ``AuditError/Code/storage``. After a database error the
    ///   caller's transaction is aborted and must be rolled back.
    public func append(_ event: AuditEvent, on connection: PostgresConnection) async throws(AuditError) {
        let payload = try Self.checkedSize(try event.validated(against: catalogue))
        let milliseconds = lockTimeoutMilliseconds
        do {
            try await connection.execute(
                """
                SELECT audit.append(\(event.type), \(Int32(catalogue.version)), \(event.actor), \(event.subject), \
                \(event.decision), \(event.purpose), CAST(\(payload) AS jsonb), \(milliseconds))
                """)
        } catch {
            throw AuditError.from(error, while: "audit append")
        }
    }

    /// Appends `events`, in order, inside the transaction open on `connection`, with one statement
    /// (one round trip): they become consecutive records in the order given.
    ///
    /// All or nothing: every event is checked against the catalogue before anything is sent, and
    /// one that does not match refuses the whole batch (nothing is written); a database failure
    /// writes none of them. Lock waits are bounded by ``lockTimeout`` as for a single append. An
    /// empty batch sends nothing.
    ///
    /// - Throws: ``AuditError/Code/invalidEvent`` naming the event's index (nothing sent),
    ///   ``AuditError/Code/unavailable``, ``AuditError/Code/refused``, ``AuditError/Code/storage``.
    ///   After a database error the caller's transaction is aborted and must be rolled back.
    public func append(contentsOf events: [AuditEvent], on connection: PostgresConnection) async throws(AuditError) {
        guard events.count > 1 else {
            if let event = events.first { try await append(event, on: connection) }
            return
        }
        let batch = try BatchEnvelope.encode(events, against: catalogue)
        let milliseconds = lockTimeoutMilliseconds
        let inserted: Int
        do {
            inserted = try await connection.query(
                "SELECT audit.append_batch(\(Int32(catalogue.version)), CAST(\(batch) AS jsonb), \(milliseconds))"
            ).singleValue(Int.self)
        } catch {
            throw AuditError.from(error, while: "audit batch append")
        }
        guard inserted == events.count else {
            throw AuditError(.storage, "audit batch append wrote \(inserted) of \(events.count) events")
        }
    }

    /// `payload`, unless it is above ``maximumPayloadBytes``.
    static func checkedSize(_ payload: String) throws(AuditError) -> String {
        guard payload.utf8.count <= maximumPayloadBytes else {
            throw AuditError(.tooLarge, "the payload is above \(maximumPayloadBytes) bytes")
        }
        return payload
    }

    /// ``lockTimeout`` in whole milliseconds, as the append functions take it.
    private var lockTimeoutMilliseconds: Int32 {
        Int32(clamping: lockTimeout.components.seconds * 1000 + lockTimeout.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Appends `event` in a transaction of its own on `pool`, for events with no other database
    /// action (an authentication failure).
    ///
    /// The append is one statement sent outside any explicit transaction, so PostgreSQL commits it
    /// on its own (one round trip instead of BEGIN, append, COMMIT); it is durable when this returns.
    ///
    /// - Throws: as ``append(_:on:)``.
    public func append(_ event: AuditEvent, using pool: PostgresConnectionPool) async throws(AuditError) {
        _ = try event.validated(against: catalogue)
        do {
            try await pool.withConnection { connection in
                try await append(event, on: connection)
            }
        } catch {
            throw AuditError.from(error, while: "audit append")
        }
    }
}
