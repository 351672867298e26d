/// Why one rule's condition could not be evaluated.
struct EvaluationFailure: Error {
    var code: EvaluationError.Code
    var detail: String
}

/// Evaluates compiled conditions against one request. `&&` and `||` short-circuit, so an unguarded
/// branch that is not reached cannot fail. Relationship tests go to the resolver.
struct Evaluator<Resolver: RelationshipResolver> {
    let request: PolicyRequest
    let resolver: Resolver

    func truth(_ node: Node) async throws(EvaluationFailure) -> Bool {
        switch node {
        case .and(let left, let right):
            return try await truth(left) ? try await truth(right) : false
        case .or(let left, let right):
            return try await truth(left) ? true : try await truth(right)
        case .not(let inner):
            return try await !truth(inner)
        case .equal(let left, let right):
            return try await value(left) == value(right)
        case .notEqual(let left, let right):
            return try await value(left) != value(right)
        case .less(let left, let right):
            return try await ordered(left, right, orEqual: false)
        case .lessOrEqual(let left, let right):
            return try await ordered(left, right, orEqual: true)
        case .member(let inner, let values):
            return values.contains(try await value(inner))
        case .principalHas(let name):
            return request.principal.attributes[name] != nil
        case .resourceHas(let name):
            return request.resource.attributes[name] != nil
        case .related(let subjectNode, let first, let second, let objectNode, let grace):
            guard case .entity(let subject) = try await value(subjectNode),
                case .entity(let object) = try await value(objectNode)
            else { throw EvaluationFailure(code: .attributeType, detail: "relationship ends are not entities") }
            let query = RelationQuery(
                subject: subject, first: first, second: second, object: object, time: request.time, grace: grace)
            do {
                return try await resolver.holds(query)
            } catch {
                throw EvaluationFailure(code: .relationshipLookupFailed, detail: "looking up '\(first)'")
            }
        default:
            guard case .bool(let result) = try await value(node) else {
                throw EvaluationFailure(code: .attributeType, detail: "condition is not bool")
            }
            return result
        }
    }

    private func ordered(_ left: Node, _ right: Node, orEqual: Bool) async throws(EvaluationFailure) -> Bool {
        switch (try await value(left), try await value(right)) {
        case (.long(let a), .long(let b)): return orEqual ? a <= b : a < b
        case (.timestamp(let a), .timestamp(let b)): return orEqual ? a <= b : a < b
        default: throw EvaluationFailure(code: .attributeType, detail: "ordering needs two longs or two timestamps")
        }
    }

    func value(_ node: Node) async throws(EvaluationFailure) -> Value {
        switch node {
        case .constant(let value):
            return value
        case .principalRole:
            return .string(request.principal.role)
        case .principalAttribute(let name, let check):
            guard let value = request.principal.attributes[name] else {
                throw EvaluationFailure(code: .missingAttribute, detail: "principal.\(name) is missing")
            }
            guard check.accepts(value) else {
                throw EvaluationFailure(code: .attributeType, detail: "principal.\(name) has the wrong type")
            }
            return value
        case .resourceAttribute(let name, let check):
            guard let value = request.resource.attributes[name] else {
                throw EvaluationFailure(code: .missingAttribute, detail: "resource.\(name) is missing")
            }
            guard check.accepts(value) else {
                throw EvaluationFailure(code: .attributeType, detail: "resource.\(name) has the wrong type")
            }
            return value
        case .resourceEntity:
            return .entity(request.resource.entity)
        case .contextTime:
            return .timestamp(request.time)
        case .shift(let inner, let seconds):
            guard case .timestamp(let time) = try await value(inner) else {
                throw EvaluationFailure(code: .attributeType, detail: "shifting a value that is not a timestamp")
            }
            let (shifted, overflow) = time.secondsSinceEpoch.addingReportingOverflow(seconds)
            if overflow { throw EvaluationFailure(code: .arithmeticOverflow, detail: "timestamp shift overflows") }
            return .timestamp(Timestamp(secondsSinceEpoch: shifted))
        default:
            return .bool(try await truth(node))
        }
    }
}
