import ArgumentParser
@testable import BiletBench
@testable import BiletCLI
import Testing

/// The benchmarks live in their own executable (issue 13): the shipped `bilet` has no `bench`, and
/// `bilet-bench` has every bench as a subcommand of its own.
@Suite struct CommandSplitTests {
    static let benches = [
        "policy", "audit", "gateway", "vault", "import", "enrolment", "scoring", "recommendations", "recommendations-path", "kpi",
        "test-taking", "soak",
    ]

    @Test func biletHasNoBenchSubcommand() {
        let names = Bilet.configuration.subcommands.map { $0._commandName }
        #expect(names.contains("serve"))
        #expect(!names.contains("bench"))
        #expect(throws: (any Error).self) { try Bilet.parseAsRoot(["bench", "policy"]) }
    }

    @Test func biletBenchListsEveryBench() {
        #expect(BenchCommand._commandName == "bilet-bench")
        #expect(BenchCommand.configuration.subcommands.map { $0._commandName } == Self.benches)
    }

    @Test(arguments: benches)
    func biletBenchParsesTheBench(name: String) throws {
        let command = try BenchCommand.parseAsRoot([name])
        #expect(type(of: command)._commandName == name)
    }
}
