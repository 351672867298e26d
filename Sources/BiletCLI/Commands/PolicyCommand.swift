import ArgumentParser
import Platform
import Policy

/// `bilet policy …`: checks, tests and explains the role policies in `policies/`.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Checks, tests, explains and compares the role policies.",
        discussion: """
            Each subcommand reads a policy directory: its *.schema and *.policy files, and the test \
            cases in its tests/ folder. policies/README.md describes the language and the test format.
            """,
        subcommands: [Check.self, Test.self, Explain.self, Diff.self])

    struct Directory: ParsableArguments {
        @Option(
            name: .customLong("policies"),
            help: "Reads the schema, the policies and the tests/ folder from this directory.")
        var path: String = "policies"
    }

    /// `bilet policy check`: loads and checks the schema and every policy.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Checks the schema and policies; prints file:line:col errors and exits 1 on any.",
            discussion: """
                Refuses unknown names, type errors, rules that can never match, relationship chains \
                longer than two steps, unreadable files and a set without rules. Exits 0 and prints \
                the rule count and the policy version when everything checks.
                """)

        @OptionGroup var directory: Directory

        func run() async throws {
            do {
                let policies = try PolicySet.load(directory: directory.path, hasher: PolicyLoading.hasher)
                print("ok: \(policies.rules.count) rules, \(policies.schema.roles.count) roles, version \(policies.version)")
            } catch {
                throw PolicyLoading.fail(error)
            }
        }
    }

    /// `bilet policy test`: runs `policies/tests/*.test` and reports coverage.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Runs the policy test cases; exits 1 on any failing case.",
            discussion: """
                Also reports rules no test exercises and roles without a negative case. Exits 1 when \
                the policies or the test files do not load, when there are no test cases, or when a \
                case fails; with --strict-coverage, also when a rule is not exercised or a role has \
                no negative case.
                """)

        @OptionGroup var directory: Directory

        @Flag(help: "Fails the run when a rule is not exercised or a role has no negative case.")
        var strictCoverage = false

        func run() async throws {
            let policies: PolicySet
            let suite: PolicyTestSuite
            do {
                policies = try PolicySet.load(directory: directory.path, hasher: PolicyLoading.hasher)
                suite = try PolicyTestSuite.load(directory: directory.path)
            } catch {
                throw PolicyLoading.fail(error)
            }
            guard !suite.cases.isEmpty else {
                print("no test cases in \(directory.path)/tests")
                throw ExitCode(1)
            }
            let report = await suite.run(against: policies)
            for failure in report.failures { print(failure) }
            print("\(report.total - report.failures.count)/\(report.total) cases passed (policy \(policies.version))")
            let covered = policies.rules.count - report.uncoveredRules.count
            print("coverage: \(covered)/\(policies.rules.count) rules exercised")
            for rule in report.uncoveredRules {
                print("  not exercised: \(rule.id) (\(rule.location))")
            }
            for role in report.rolesWithoutNegativeCases {
                print("  no negative case for role: \(role)")
            }
            if !report.passed || (strictCoverage && !report.coverageComplete) {
                throw ExitCode(1)
            }
        }
    }

    /// `bilet policy explain`: prints the decision for test requests and the rules behind it.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explains the decision for requests written as test cases.",
            discussion: """
                Reads requests in the test-file format (fixtures and relations from policies/tests \
                are available). With no file, explains the suite's own cases; --case picks one by name. \
                For each case it prints the request, the decision, the expectation and how every rule \
                for the request's action and resource type fared. A decision that differs from the \
                expectation is marked but does not fail; the command exits 1 when the policies or the \
                test files do not load or no case matches.
                """)

        @OptionGroup var directory: Directory

        @Argument(help: "Explains the cases in this test file; their expectations are shown but not enforced.")
        var file: String?

        @Option(name: .customLong("case"), help: "Explains only the case with this name.")
        var caseName: String?

        func run() async throws {
            let policies: PolicySet
            let suite: PolicyTestSuite
            do {
                policies = try PolicySet.load(directory: directory.path, hasher: PolicyLoading.hasher)
                var files = try PolicySources.testFiles(in: directory.path)
                if let file {
                    let extra = try PolicySources.file(at: file, path: file)
                    if !files.contains(where: { $0.text == extra.text }) { files.append(extra) }
                }
                suite = try PolicyTestSuite.parse(files)
            } catch {
                throw PolicyLoading.fail(error)
            }
            var cases = suite.cases
            if let file { cases = cases.filter { $0.location.file == file || file.hasSuffix($0.location.file) } }
            if let caseName { cases = cases.filter { $0.name == caseName } }
            guard !cases.isEmpty else {
                print("no matching test case")
                throw ExitCode(1)
            }
            for testCase in cases {
                let explanation = await policies.explain(testCase.request, relationships: suite.relationships)
                print(explanation.report(for: testCase))
            }
        }
    }

    /// `bilet policy diff OLD NEW`: requests whose outcome differs between two policy sets.
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lists every request whose decision changes between two policy directories.",
            discussion: """
                Runs the test requests of both directories and a generated set (every principal and \
                resource fixture with every applicable action, purpose and field set, at every test \
                time) against both sets. Exits 0 when nothing changes, 1 when something does, and 2 \
                when either directory does not load.
                """)

        @Argument(help: "Reads the policies in force now from this directory.")
        var old: String

        @Argument(help: "Reads the changed policies from this directory.")
        var new: String

        @Option(help: "Shows at most this many changes.")
        var limit: Int = 200

        func validate() throws {
            guard limit >= 0 else { throw ValidationError("--limit must be 0 or more.") }
        }

        func run() async throws {
            let oldSet: PolicySet
            let newSet: PolicySet
            var suites: [PolicyTestSuite] = []
            do {
                oldSet = try PolicySet.load(directory: old, hasher: PolicyLoading.hasher)
                newSet = try PolicySet.load(directory: new, hasher: PolicyLoading.hasher)
                for directory in [old, new] {
                    if let files = try? PolicySources.testFiles(in: directory) {
                        suites.append(try PolicyTestSuite.parse(files))
                    }
                }
            } catch {
                throw PolicyLoading.fail(error, status: 2)
            }
            let diff = await PolicyDiff.compare(old: oldSet, new: newSet, suites: suites)
            print("old \(oldSet.version), new \(newSet.version): \(diff.requestCount) requests, \(diff.changes.count) changed")
            for change in diff.changes.prefix(limit) { print(change) }
            if diff.changes.count > limit { print("… \(diff.changes.count - limit) more") }
            if !diff.changes.isEmpty { throw ExitCode(1) }
        }
    }
}
