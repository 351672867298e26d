/// Relationships held in memory: for tests, the benchmark, `bilet policy test` and `explain`.
///
/// Immutable once built; lookups are dictionary reads by `(kind, subject)`.
public struct InMemoryRelationships: RelationshipResolver {
    struct Key: Hashable {
        var kind: String
        var subject: EntityRef
    }

    private var bySubject: [Key: [Relationship]] = [:]

    /// Creates a store holding `relationships`.
    public init(_ relationships: [Relationship] = []) {
        for relationship in relationships { add(relationship) }
    }

    /// Adds one fact.
    public mutating func add(_ relationship: Relationship) {
        bySubject[Key(kind: relationship.kind, subject: relationship.subject), default: []].append(relationship)
    }

    /// Every fact, in no particular order.
    public var all: [Relationship] { bySubject.values.flatMap { $0 } }

    /// Answers from memory; never throws.
    public func holds(_ query: RelationQuery) async throws -> Bool {
        holdsNow(query)
    }

    /// The synchronous answer to `query`.
    public func holdsNow(_ query: RelationQuery) -> Bool {
        guard let firstSteps = bySubject[Key(kind: query.first, subject: query.subject)] else { return false }
        for step in firstSteps where step.holds(at: query.time, grace: query.grace) {
            guard let second = query.second else {
                if step.object == query.object { return true }
                continue
            }
            guard let secondSteps = bySubject[Key(kind: second, subject: step.object)] else { continue }
            for next in secondSteps
            where next.object == query.object && next.holds(at: query.time, grace: query.grace) {
                return true
            }
        }
        return false
    }
}
