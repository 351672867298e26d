/// Answers relationship questions for the engine, from wherever the relationships live.
///
/// The vault passes a resolver bound to its own database transaction, so the policy check sees the
/// same snapshot as the read it guards. A resolver that throws makes the decision a deny.
public protocol RelationshipResolver: Sendable {
    /// True when the chain in `query` holds at `query.time`.
    func holds(_ query: RelationQuery) async throws -> Bool
}
