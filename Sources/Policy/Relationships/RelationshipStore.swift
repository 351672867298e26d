public import PostgreSQL

/// Records and expires relationship facts in `policy.relationships` (migration 0010), over a
/// connection the caller owns, so the registry or the vault writes inside its own transaction.
///
/// The connection must belong to `bilet_policy`, the only role that may insert facts and set
/// `expired_at`. Facts are never deleted or rewritten: a past decision can always be replayed.
public struct RelationshipStore: Sendable {
    /// The connection statements run on, in whatever transaction it is in.
    public let connection: PostgresConnection

    /// Creates a store that writes through `connection`.
    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Records `relationship` (including its `expiredAt`, if set).
    ///
    /// Refuses with `.invalidRelationship`, before sending anything, a kind or entity type that
    /// is not an identifier of at most 63 characters, an id that is empty or longer than 256
    /// characters, and `validFrom` not before `validUntil`; with `.timeOutOfRange` a time
    /// PostgreSQL cannot hold.
    public func assert(_ relationship: Relationship) async throws(RelationshipStoreError) {
        try Self.validate(relationship)
        let from = try Self.bind(relationship.validFrom)
        let until = try Self.bind(relationship.validUntil)
        let expired = try Self.bind(relationship.expiredAt)
        try await run(
            """
            INSERT INTO policy.relationships
                (kind, subject_type, subject_id, object_type, object_id, valid_from, valid_until, expired_at)
            VALUES (\(relationship.kind), \(relationship.subject.type), \(relationship.subject.id),
                    \(relationship.object.type), \(relationship.object.id), \(from), \(until), \(expired))
            """, failing: "recording a relationship failed")
    }

    /// Ends every `kind` fact from `subject` to `object` at `time`, at once and for good: from
    /// `time` on they no longer hold, whatever grace period a rule allows after their planned end.
    /// Facts already expired by then are left as they are; a fact that starts later never holds.
    /// Returns how many facts were expired (0 when there was none to expire).
    @discardableResult
    public func expire(
        _ kind: String, subject: EntityRef, object: EntityRef, at time: Timestamp
    ) async throws(RelationshipStoreError) -> Int {
        try Self.validate(Relationship(kind, subject: subject, object: object))
        guard let at = SQLTimestamp(time) else {
            throw RelationshipStoreError(.timeOutOfRange, "the expiry time cannot be represented")
        }
        return try await run(
            """
            UPDATE policy.relationships SET expired_at = \(at)
            WHERE kind = \(kind)
              AND subject_type = \(subject.type) AND subject_id = \(subject.id)
              AND object_type = \(object.type) AND object_id = \(object.id)
              AND (expired_at IS NULL OR expired_at > \(at))
            """, failing: "expiring a relationship failed")
    }

    // MARK: Checks

    static let maximumNameLength = 63
    static let maximumIDLength = 256

    static func isIdentifier(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maximumNameLength else { return false }
        func start(_ byte: UInt8) -> Bool {
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F  // A-Z a-z _
        }
        return start(first) && bytes.dropFirst().allSatisfy { start($0) || (0x30...0x39).contains($0) }
    }

    static func validate(_ relationship: Relationship) throws(RelationshipStoreError) {
        for name in [relationship.kind, relationship.subject.type, relationship.object.type] where !isIdentifier(name) {
            throw RelationshipStoreError(
                .invalidRelationship, "a relation kind or entity type is not an identifier of at most 63 characters")
        }
        for id in [relationship.subject.id, relationship.object.id]
        where id.isEmpty || id.unicodeScalars.count > maximumIDLength || id.utf8.contains(0) {
            throw RelationshipStoreError(
                .invalidRelationship, "an entity id is empty, longer than 256 characters or holds a NUL byte")
        }
        if let from = relationship.validFrom, let until = relationship.validUntil, from >= until {
            throw RelationshipStoreError(.invalidRelationship, "valid_from is not before valid_until")
        }
    }

    private static func bind(_ time: Timestamp?) throws(RelationshipStoreError) -> SQLTimestamp? {
        guard let time else { return nil }
        guard let bound = SQLTimestamp(time) else {
            throw RelationshipStoreError(.timeOutOfRange, "a validity bound cannot be represented")
        }
        return bound
    }

    @discardableResult
    private func run(_ statement: SQLStatement, failing reason: String) async throws(RelationshipStoreError) -> Int {
        do {
            return try await connection.execute(statement)
        } catch {
            switch error.sqlState {
            case SQLState.checkViolation?:
                throw RelationshipStoreError(.invalidRelationship, "the database refused the fact", underlying: error)
            case SQLState(rawValue: "22008")?:
                throw RelationshipStoreError(.timeOutOfRange, "a time is outside timestamptz's range", underlying: error)
            default:
                throw RelationshipStoreError(.database, reason, underlying: error)
            }
        }
    }
}
