import ArgumentParser

/// The `bilet-bench` command: measures each component, through the same code `bilet` runs. It is a
/// separate executable so the shipped `bilet` carries no benchmarks.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bilet-bench",
        abstract: "Measures the speed of a component; run it from a release build.",
        discussion: """
            Build it with `swift build -c release --product bilet-bench`. The test-taking bench also runs \
            the `bilet` next to this binary (`swift build -c release --product bilet`).
            """,
        subcommands: [PolicyBenchCommand.self, AuditBenchCommand.self, GatewayBenchCommand.self, VaultBenchCommand.self, ImportBenchCommand.self,
                      EnrolmentBenchCommand.self, ScoringBenchCommand.self, RecommendationsBenchCommand.self,
                      RecommendationsPathBenchCommand.self, KPIBenchCommand.self, TestTakingBenchCommand.self, SoakBenchCommand.self])
}
