/// The test cases and relationship facts of `policies/tests/`, and running them against a set.
public struct PolicyTestSuite: Sendable {
    public var cases: [PolicyTestCase]
    /// The facts every case is decided with.
    public var relationships: InMemoryRelationships
    /// The named principals the files declare, for request generation.
    public var principals: [String: Principal]
    /// The named resources the files declare, for request generation.
    public var resources: [String: Resource]

    /// Parses `files` as one suite: fixtures and facts are shared by all files.
    public static func parse(_ files: [SourceFile]) throws(PolicyLoadError) -> PolicyTestSuite {
        var contents = TestFileParser.Contents()
        var diagnostics: [PolicyDiagnostic] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            do {
                try TestFileParser.parse(file, into: &contents)
            } catch {
                diagnostics.append(error)
            }
        }
        guard diagnostics.isEmpty else { throw PolicyLoadError(diagnostics) }
        var cases: [PolicyTestCase] = []
        for raw in contents.cases {
            var principal: Principal?
            switch raw.principal {
            case .inline(let value): principal = value
            case .fixture(let name):
                principal = contents.principals[name.value]?.0
                if principal == nil {
                    diagnostics.append(PolicyDiagnostic(.unknownFixture, at: name.location, "no principal named '\(name.value)'"))
                    continue
                }
            case nil: break
            }
            var resource: Resource?
            switch raw.resource {
            case .inline(let value): resource = value
            case .fixture(let name):
                resource = contents.resources[name.value]?.0
                if resource == nil {
                    diagnostics.append(PolicyDiagnostic(.unknownFixture, at: name.location, "no resource named '\(name.value)'"))
                    continue
                }
            case nil: break
            }
            guard let principal, let action = raw.action, let resource, let purpose = raw.purpose, let time = raw.time,
                let expectation = raw.expectation
            else {
                diagnostics.append(
                    PolicyDiagnostic(
                        .incompleteTestCase, at: raw.location,
                        "test '\(raw.name)' needs principal, action, resource, purpose, time and expect"))
                continue
            }
            cases.append(
                PolicyTestCase(
                    name: raw.name, location: raw.location,
                    request: PolicyRequest(
                        principal: principal, action: action, resource: resource, fields: raw.fields, purpose: purpose,
                        time: time),
                    expectation: expectation))
        }
        guard diagnostics.isEmpty else { throw PolicyLoadError(diagnostics) }
        return PolicyTestSuite(
            cases: cases, relationships: InMemoryRelationships(contents.relationships),
            principals: contents.principals.mapValues(\.0), resources: contents.resources.mapValues(\.0))
    }

    /// Loads `directory/tests/*.test`.
    public static func load(directory: String) throws(PolicyLoadError) -> PolicyTestSuite {
        try parse(PolicySources.testFiles(in: directory))
    }

    /// Runs every case against `policies`, recording failures and coverage.
    public func run(against policies: PolicySet) async -> PolicyTestReport {
        var failures: [PolicyTestReport.Failure] = []
        var exercised = Set<String>()
        var negativeRoles = Set<String>()
        for testCase in cases {
            let explanation = await policies.explain(testCase.request, relationships: relationships)
            for evaluation in explanation.evaluations where evaluation.outcome == .matched {
                exercised.insert(evaluation.ruleID)
            }
            if case .deny = testCase.expectation { negativeRoles.insert(testCase.request.principal.role) }
            var passed = testCase.expectation.isMet(by: explanation.decision)
            // An invalid request only passes when the case asks for exactly that.
            if explanation.decision.reason == .invalidRequest, testCase.expectation != .deny(.invalidRequest) {
                passed = false
            }
            if !passed {
                failures.append(
                    PolicyTestReport.Failure(
                        name: testCase.name, location: testCase.location, expected: testCase.expectation,
                        actual: explanation.decision))
            }
        }
        return PolicyTestReport(
            total: cases.count, failures: failures,
            uncoveredRules: policies.rules.filter { !exercised.contains($0.id) },
            rolesWithoutNegativeCases: policies.schema.roles.map(\.name).filter { !negativeRoles.contains($0) })
    }
}

/// The outcome of running a test suite.
public struct PolicyTestReport: Sendable {
    /// A case whose decision did not meet its expectation.
    public struct Failure: Sendable, CustomStringConvertible {
        public var name: String
        public var location: SourceLocation
        public var expected: PolicyTestCase.Expectation
        public var actual: Decision

        public var description: String {
            "\(location): FAIL \"\(name)\": expected \(expected), got \(actual)"
        }
    }

    public var total: Int
    public var failures: [Failure]
    /// Rules no case made match.
    public var uncoveredRules: [PolicySet.RuleSummary]
    /// Roles with no case expecting a deny.
    public var rolesWithoutNegativeCases: [String]

    /// True when every case passed.
    public var passed: Bool { failures.isEmpty }
    /// True when every rule is exercised and every role has a negative case.
    public var coverageComplete: Bool { uncoveredRules.isEmpty && rolesWithoutNegativeCases.isEmpty }
}
