/// What happened to one rule while deciding a request, for `explain` and test coverage.
public struct RuleEvaluation: Hashable, Sendable, CustomStringConvertible {
    /// The rule's outcome.
    public enum Outcome: Hashable, Sendable {
        /// Scope and condition held.
        case matched
        /// In scope, but the condition was false.
        case conditionFalse
        /// The principal's role is not in the rule's scope.
        case roleOutOfScope
        /// The request's purpose is not in the rule's scope.
        case purposeOutOfScope
        /// A forbid rule about fields the request does not ask for.
        case fieldsNotRequested
        /// The condition failed to evaluate (the decision is a deny).
        case failed(EvaluationError)
    }

    public var ruleID: String
    /// `permit` or `forbid`.
    public var effect: String
    public var location: SourceLocation
    public var outcome: Outcome

    public var description: String {
        let outcome: String
        switch self.outcome {
        case .matched: outcome = "matched"
        case .conditionFalse: outcome = "condition false"
        case .roleOutOfScope: outcome = "role not in scope"
        case .purposeOutOfScope: outcome = "purpose not in scope"
        case .fieldsNotRequested: outcome = "forbidden fields not requested"
        case .failed(let error): outcome = "error: \(error)"
        }
        return "\(effect) \(ruleID) (\(location)): \(outcome)"
    }
}

/// A decision together with how every rule for the request's action and resource type fared.
public struct Explanation: Hashable, Sendable {
    public var decision: Decision
    /// The rules indexed under the request's (action, resource type), forbids first, in source
    /// order. Rules for other actions or types cannot apply and are left out.
    public var evaluations: [RuleEvaluation]
}
