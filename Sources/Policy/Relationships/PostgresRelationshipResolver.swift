public import PostgreSQL

/// Answers relationship questions from `policy.relationships` (migration 0010), over a connection
/// the caller owns.
///
/// The caller passes the connection it is already using, so the lookup runs inside the caller's
/// transaction: the vault's policy check sees the same snapshot as the read it guards, and facts
/// the caller wrote earlier in the transaction (or rolled back) count as the transaction sees
/// them. The connection must belong to a role allowed to read the table: `bilet_policy`,
/// `bilet_vault` or `bilet_gateway`.
///
/// Each lookup is one parameterised statement (prepared once per connection) answered through the
/// index `relationships_lookup`: a one-step question is one index probe, a two-step chain a join
/// from the first step's object to the second step's subject. A step holds at `time` when
/// `valid_from <= time < valid_until + grace` and `time < expired_at` (open bounds hold), exactly
/// as `Relationship.holds(at:grace:)` decides in memory.
///
/// Throws `RelationshipStoreError` when the database fails or refuses (for example 42501 for a
/// role without SELECT, 25P02 inside a failed transaction) or when the time is out of range; the
/// engine turns any such error into a deny. A lookup the server refused also aborts the caller's
/// transaction, so the read it guards cannot go ahead either.
public struct PostgresRelationshipResolver: RelationshipResolver {
    /// The connection lookups run on, in whatever transaction it is in.
    public let connection: PostgresConnection

    /// Creates a resolver that queries through `connection`.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// True when the chain in `query` holds at `query.time`, as the connection's transaction sees
    /// the table.
    public func holds(_ query: RelationQuery) async throws(RelationshipStoreError) -> Bool {
        guard let at = SQLTimestamp(query.time) else {
            throw RelationshipStoreError(.timeOutOfRange, "the request time cannot be represented")
        }
        // time < valid_until + grace  <=>  valid_until > time - grace
        let (cutoffSeconds, overflow) = query.time.secondsSinceEpoch.subtractingReportingOverflow(query.grace)
        guard !overflow, let cutoff = SQLTimestamp(Timestamp(secondsSinceEpoch: cutoffSeconds)) else {
            throw RelationshipStoreError(.timeOutOfRange, "the request time minus the grace period cannot be represented")
        }
        let statement: SQLStatement
        if let second = query.second {
            statement = """
                SELECT EXISTS (
                    SELECT FROM policy.relationships AS first
                    JOIN policy.relationships AS second
                      ON second.kind = \(second)
                     AND second.subject_type = first.object_type
                     AND second.subject_id = first.object_id
                    WHERE first.kind = \(query.first)
                      AND first.subject_type = \(query.subject.type)
                      AND first.subject_id = \(query.subject.id)
                      AND (first.valid_from IS NULL OR first.valid_from <= \(at))
                      AND (first.valid_until IS NULL OR first.valid_until > \(cutoff))
                      AND (first.expired_at IS NULL OR first.expired_at > \(at))
                      AND second.object_type = \(query.object.type)
                      AND second.object_id = \(query.object.id)
                      AND (second.valid_from IS NULL OR second.valid_from <= \(at))
                      AND (second.valid_until IS NULL OR second.valid_until > \(cutoff))
                      AND (second.expired_at IS NULL OR second.expired_at > \(at)))
                """
        } else {
            statement = """
                SELECT EXISTS (
                    SELECT FROM policy.relationships
                    WHERE kind = \(query.first)
                      AND subject_type = \(query.subject.type)
                      AND subject_id = \(query.subject.id)
                      AND object_type = \(query.object.type)
                      AND object_id = \(query.object.id)
                      AND (valid_from IS NULL OR valid_from <= \(at))
                      AND (valid_until IS NULL OR valid_until > \(cutoff))
                      AND (expired_at IS NULL OR expired_at > \(at)))
                """
        }
        do {
            return try await connection.query(statement).singleValue(Bool.self)
        } catch {
            throw RelationshipStoreError(.database, "relationship lookup failed", underlying: error)
        }
    }
}
