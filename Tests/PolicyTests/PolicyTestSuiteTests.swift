import Policy
import Testing

@Suite("Policy test files")
struct PolicyTestSuiteTests {
    static let policy = """
        @id("read") permit (principal is clerk, action == read, resource is record) fields [name, note];
        @id("audit") permit (principal is boss, action == read, resource is record, purpose == audit);
        @id("never-used") forbid (principal is boss, action == write, resource is record);
        """

    static let tests = """
        principal clerk_a = clerk { user: user "u-1", organisation: school "s-a" };
        resource record_1 = record "r-1" { school: school "s-a", level: 3, opened: timestamp "2025-01-01" };
        relation member_of(record "r-1", group "g-1") from "2025-01-01";

        test "clerk reads a name" {
            principal clerk_a; action read; resource record_1; fields [name];
            purpose work; time "2025-06-01T12:00:00Z";
            expect allow [name];
        }

        test "wrong expectation" {
            principal clerk_a; action read; resource record_1; fields [note];
            purpose work; time "2025-06-01T12:00:00Z";
            expect deny;
        }

        test "boss audits" {
            principal boss { user: user "u-boss" }; action read; resource record "r-2" { school: school "s-b", level: 1, opened: timestamp "2025-01-01" };
            purpose audit; time "2025-06-01T12:00:00Z";
            expect allow;
        }

        test "clerk cannot write" {
            principal clerk_a; action write; resource record_1; purpose work; time "2025-06-01T12:00:00Z";
            expect deny no_matching_permit;
        }
        """

    @Test("a run reports failing cases, rules no case exercises and roles without a negative case")
    func report() async throws {
        let policies = try compile(schema: miniSchema, policy: Self.policy)
        let suite = try PolicyTestSuite.parse([SourceFile(path: "tests/a.test", text: Self.tests)])
        #expect(suite.cases.map(\.name) == ["clerk reads a name", "wrong expectation", "boss audits", "clerk cannot write"])
        #expect(suite.relationships.all.count == 1)
        let report = await suite.run(against: policies)
        #expect(report.total == 4)
        #expect(!report.passed)
        #expect(report.failures.map(\.name) == ["wrong expectation"])
        #expect(report.failures.first?.location == SourceLocation(file: "tests/a.test", line: 11, column: 1))
        #expect(report.failures.first?.actual.effect == .allow)
        #expect(report.uncoveredRules.map(\.id) == ["never-used"])
        #expect(report.rolesWithoutNegativeCases == ["boss"])
        #expect(!report.coverageComplete)
    }

    @Test("an invalid request passes only a case that expects exactly that")
    func invalidRequestCases() async throws {
        let policies = try compile(schema: miniSchema, policy: Self.policy)
        let text = """
            test "vague deny" {
                principal clerk { user: user "u" }; action read; resource record "r"; fields [colour];
                purpose work; time "2025-01-01"; expect deny;
            }
            test "exact" {
                principal clerk { user: user "u" }; action read; resource record "r"; fields [colour];
                purpose work; time "2025-01-01"; expect deny invalid_request;
            }
            """
        let report = try await PolicyTestSuite.parse([SourceFile(path: "t.test", text: text)]).run(against: policies)
        #expect(report.failures.map(\.name) == ["vague deny"])
    }

    @Test(
        "test files are refused with located diagnostics",
        arguments: [
            ("test \"x\" { principal nobody; action read; resource record \"r\"; purpose work; time \"2025-01-01\"; expect deny; }",
                PolicyDiagnostic.Code.unknownFixture, 1, 22),
            ("test \"x\" { action read; }", .incompleteTestCase, 1, 1),
            ("test \"x\" { time \"2025-02-30\"; }", .invalidTimestamp, 1, 17),
            ("principal a = clerk {}; principal a = boss {};", .duplicateDeclaration, 1, 35),
            ("test \"x\" { expect maybe; }", .unexpectedToken, 1, 19),
            ("test \"x\" { expect deny sometimes; }", .unexpectedToken, 1, 24),
            ("test \"x\" { colour red; }", .unexpectedToken, 1, 12),
            ("relation r(record \"a\", group \"b\") until \"soon\";", .invalidTimestamp, 1, 41),
        ])
    func refused(text: String, code: PolicyDiagnostic.Code, line: Int, column: Int) throws {
        do {
            _ = try PolicyTestSuite.parse([SourceFile(path: "t.test", text: text)])
            Issue.record("accepted")
        } catch {
            let first = try #require(error.diagnostics.first)
            #expect(first.code == code, "\(first)")
            #expect(first.location == SourceLocation(file: "t.test", line: line, column: column), "\(first)")
        }
    }
}
