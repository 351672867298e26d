/// The requests whose outcome (allow or deny, and the fields with their treatments) differs
/// between two policy sets. Changes only in which rule decided, or why a deny happened, are not
/// outcome changes.
public struct PolicyDiff: Sendable {
    /// One request decided differently.
    public struct Change: Sendable, CustomStringConvertible {
        /// The test case's name, or nil for a generated request.
        public var testName: String?
        public var request: PolicyRequest
        public var old: Decision
        public var new: Decision

        public var description: String {
            let request = self.request
            let label = testName.map { "test \"\($0)\"" } ?? "generated"
            return "\(label): \(request.principal.role)\(request.principal.attributes.isEmpty ? "" : " \(Self.render(request.principal.attributes))") "
                + "\(request.action) \(request.resource.entity)\(request.resource.attributes.isEmpty ? "" : " \(Self.render(request.resource.attributes))") "
                + "fields [\(request.fields.joined(separator: ", "))] purpose \(request.purpose) at \(request.time)\n"
                + "    old: \(Self.outcome(old))\n    new: \(Self.outcome(new))"
        }

        static func render(_ attributes: [String: Value]) -> String {
            "{" + attributes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }

        static func outcome(_ decision: Decision) -> String {
            var text = decision.effect.rawValue
            if let reason = decision.reason { text += " (\(reason.rawValue))" }
            if decision.isAllowed, !decision.fields.isEmpty {
                text += " [\(decision.fields.map(\.description).joined(separator: ", "))]"
            }
            if !decision.decidingRules.isEmpty { text += " by \(decision.decidingRules.joined(separator: ", "))" }
            return text
        }
    }

    /// How many requests were compared.
    public var requestCount: Int
    public var changes: [Change]

    /// True when `a` and `b` have the same outcome.
    public static func sameOutcome(_ a: Decision, _ b: Decision) -> Bool {
        a.effect == b.effect && (a.effect == .deny || a.fields == b.fields)
    }

    /// Compares `old` and `new` on the suites' test requests and on `generator`'s requests
    /// (by default, generated from the suites' fixtures), with the suites' relationship facts.
    public static func compare(
        old: PolicySet, new: PolicySet, suites: [PolicyTestSuite], generator: RequestGenerator? = nil
    ) async -> PolicyDiff {
        var facts: [Relationship] = []
        for suite in suites { facts += suite.relationships.all }
        let relationships = InMemoryRelationships(facts)
        var changes: [Change] = []
        var seen = Set<PolicyRequest>()
        func compare(_ request: PolicyRequest, _ name: String?) async {
            let before = await old.decide(request, relationships: relationships)
            let after = await new.decide(request, relationships: relationships)
            if !sameOutcome(before, after) {
                changes.append(Change(testName: name, request: request, old: before, new: after))
            }
        }
        for suite in suites {
            for testCase in suite.cases where seen.insert(testCase.request).inserted {
                await compare(testCase.request, testCase.name)
            }
        }
        var count = seen.count
        await (generator ?? RequestGenerator(suites: suites)).forEachRequest(schemas: [old.schema, new.schema]) {
            request in
            guard !seen.contains(request) else { return }
            count += 1
            await compare(request, nil)
        }
        return PolicyDiff(requestCount: count, changes: changes)
    }
}
