import Policy
import Testing

/// The text `bilet policy explain` prints.
@Suite("Explain output")
struct ExplanationReportTests {
    static let policy = """
        @id("read") permit (principal is clerk, action == read, resource is record) fields [name as initial, note]
        when { resource.school == principal.organisation };
        @id("boss-only") permit (principal is boss, action == read, resource is record);
        @id("no-secret") forbid (principal, action, resource is record) fields [secret];
        """

    static let tests = """
        principal clerk_a = clerk { user: user "u-1", organisation: school "s-a" };
        resource record_1 = record "r-1" { school: school "s-a", level: 3, opened: timestamp "2025-01-01" };

        test "clerk reads a name" {
            principal clerk_a; action read; resource record_1; fields [name, note];
            purpose work; time "2025-06-01T12:00:00Z";
            expect allow [name as initial, note];
        }

        test "clerk expects too much" {
            principal clerk_a; action read; resource record_1; fields [name];
            purpose work; time "2025-06-01T12:00:00Z";
            expect allow [name];
        }

        test "memo" {
            principal clerk_a; action file; resource memo "m-1"; purpose work; time "2025-06-01T12:00:00Z";
            expect deny no_matching_permit;
        }
        """

    func reports() async throws -> [String] {
        let policies = try compile(schema: miniSchema, policy: Self.policy, hasher: LengthHasher())
        let suite = try PolicyTestSuite.parse([SourceFile(path: "tests/a.test", text: Self.tests)])
        var reports: [String] = []
        for testCase in suite.cases {
            reports.append(await policies.explain(testCase.request, relationships: suite.relationships).report(for: testCase))
        }
        return reports
    }

    @Test("a case is printed with its request, decision, expectation and every applicable rule, forbids first")
    func report() async throws {
        let version = try compile(schema: miniSchema, policy: Self.policy, hasher: LengthHasher()).version
        let reports = try await reports()
        #expect(reports.count == 3)
        #expect(
            reports.first == """
                "clerk reads a name" (tests/a.test:4:1)
                  request: clerk read record "r-1" fields [name, note] purpose work at 2025-06-01T12:00:00Z
                  decision: allow fields [name as initial, note] by [read] policy \(version)
                  expected: allow [name as initial, note]
                  forbid no-secret (test.policy:4:18): forbidden fields not requested
                  permit read (test.policy:1:13): matched
                  permit boss-only (test.policy:3:18): role not in scope
                """)
    }

    @Test("a decision that differs from the expectation is marked; a pair no rule covers says so")
    func differsAndNoRule() async throws {
        let reports = try await reports()
        let differs = reports[1].split(separator: "\n").map(String.init)
        #expect(differs[3] == "  expected: allow [name]  <-- differs")
        let memo = reports[2].split(separator: "\n").map(String.init)
        #expect(memo[2].hasPrefix("  decision: deny (no_matching_permit) policy length:"))
        #expect(memo[3] == "  expected: deny no_matching_permit")
        #expect(memo[4] == "  no rule applies to this action and resource type")
        #expect(memo.count == 5)
    }
}
