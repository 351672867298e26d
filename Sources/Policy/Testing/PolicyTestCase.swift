/// One test case from `policies/tests/*.test`: a request and the decision it must get.
public struct PolicyTestCase: Hashable, Sendable {
    /// What the case expects.
    public enum Expectation: Hashable, Sendable, CustomStringConvertible {
        /// Allowed, with exactly these fields and treatments (in request order).
        case allow([FieldDecision])
        /// Denied, for this reason when one is given.
        case deny(Decision.DenyReason?)

        public var description: String {
            switch self {
            case .allow(let fields):
                return fields.isEmpty ? "allow" : "allow [\(fields.map(\.description).joined(separator: ", "))]"
            case .deny(let reason):
                return reason.map { "deny \($0.rawValue)" } ?? "deny"
            }
        }

        /// True when `decision` meets this expectation.
        public func isMet(by decision: Decision) -> Bool {
            switch self {
            case .allow(let fields):
                return decision.effect == .allow && decision.fields == fields
            case .deny(let reason):
                guard decision.effect == .deny else { return false }
                return reason == nil || reason == decision.reason
            }
        }
    }

    public var name: String
    public var location: SourceLocation
    public var request: PolicyRequest
    public var expectation: Expectation

    /// Creates a test case.
    public init(name: String, location: SourceLocation, request: PolicyRequest, expectation: Expectation) {
        self.name = name
        self.location = location
        self.request = request
        self.expectation = expectation
    }
}
