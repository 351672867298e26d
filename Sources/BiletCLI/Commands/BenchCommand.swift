import ArgumentParser

/// `bilet bench …`: measures each component in a release build.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measures the speed of a component; run it from a release build.",
        subcommands: [PolicyBenchCommand.self, AuditBenchCommand.self, GatewayBenchCommand.self, VaultBenchCommand.self, ImportBenchCommand.self,
                      EnrolmentBenchCommand.self, ScoringBenchCommand.self, RecommendationsBenchCommand.self,
                      RecommendationsPathBenchCommand.self, KPIBenchCommand.self, TestTakingBenchCommand.self])
}
