public import PostgreSQL
public import Foundation

/// One entry of the destruction register: what was destroyed, whose, which categories, why and
/// when. Entries are kept at least three years.
public struct DestructionRecord: Sendable, Hashable {
    /// When.
    public let destroyedAt: Date
    /// What (`audit event payloads`).
    public let what: String
    /// Whose: the subject token, nil for events without one.
    public let subject: String?
    /// Which categories (event types).
    public let categories: [String]
    /// How many events.
    public let eventCount: Int
    /// The event ids concerned, first and last.
    public let eventIDs: ClosedRange<Int64>
    /// Why.
    public let reason: String
    /// Who asked (an identifier).
    public let requestedBy: String
    /// Until when the entry is kept.
    public let keepUntil: Date
}

/// Retention of audit payloads.
///
/// Payloads of integrated events are destroyed once older than their term
/// (`audit.retention_terms`, per event type, default five years) through the SECURITY DEFINER
/// function `audit.prune_expired_payloads`: it can only set payloads of expired, integrated
/// events to NULL and record each destruction in `audit.destruction_register`; no role has
/// UPDATE on events itself. The leaf hashes and payload digests stay, so every inclusion and
/// consistency proof and `bilet audit verify` remain valid; verify accepts a missing payload only
/// when the pruning is recorded.
///
/// Chosen over a separate retention role because a function states exactly what may change
/// (the payload column of expired rows, nothing else) and cannot be misused by a role that was
/// granted too much later.
public struct AuditRetention: Sendable {
    /// Connects as `bilet_audit`.
    public let pool: PostgresConnectionPool

    /// A retention runner.
    public init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Destroys at most `limit` expired payloads; returns how many.
    ///
    /// - Throws: ``AuditError/Code/invalidArgument`` for an empty reason or requester; storage errors.
    public func pruneExpired(reason: String, requestedBy: String, limit: Int = 10_000) async throws(AuditError) -> Int {
        guard !reason.isEmpty, AuditPatterns.isIdentifier(requestedBy) else {
            throw AuditError(.invalidArgument, "a destruction needs a reason and a requester identifier")
        }
        do {
            return try await pool.query(
                "SELECT audit.prune_expired_payloads(\(reason), \(requestedBy), \(Int32(clamping: limit)))").singleValue(Int.self)
        } catch {
            throw AuditError.from(error, while: "pruning payloads")
        }
    }

    /// The destruction register, oldest first.
    public func register() async throws(AuditError) -> [DestructionRecord] {
        do {
            let rows = try await pool.query(
                """
                SELECT destroyed_at, what, subject, array_to_string(categories, ','), event_count, first_event_id,
                       last_event_id, reason, requested_by, keep_until
                FROM audit.destruction_register ORDER BY id
                """)
            return try rows.map { row in
                DestructionRecord(
                    destroyedAt: try row.decode(Date.self, at: 0), what: try row.decode(String.self, at: 1),
                    subject: try row.decode(String?.self, at: 2),
                    categories: try row.decode(String.self, at: 3).split(separator: ",").map(String.init),
                    eventCount: try row.decode(Int.self, at: 4),
                    eventIDs: try row.decode(Int64.self, at: 5)...max(try row.decode(Int64.self, at: 5), try row.decode(Int64.self, at: 6)),
                    reason: try row.decode(String.self, at: 7), requestedBy: try row.decode(String.self, at: 8),
                    keepUntil: try row.decode(Date.self, at: 9))
            }
        } catch {
            throw AuditError.from(error, while: "reading the destruction register")
        }
    }

    /// Removes register entries older than their three years; returns how many.
    public func purgeRegister() async throws(AuditError) -> Int {
        do {
            return try await pool.query("SELECT audit.purge_destruction_register()").singleValue(Int.self)
        } catch {
            throw AuditError.from(error, while: "purging the destruction register")
        }
    }
}
