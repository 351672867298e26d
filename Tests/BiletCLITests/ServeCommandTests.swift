import Foundation
import Testing

/// `bilet serve` end to end, as the README's run command uses it: the real binary, a private
/// PostgreSQL cluster created from nothing, migrations applied, a clean stop on SIGTERM.
@Suite(.serialized) struct ServeCommandTests {
    @Test func servesWithPrivateClusterAndStopsCleanly() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bilet-serve-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = [
            "BILET_DATABASE_LOCAL_DIRECTORY": directory.path + "/pg", "BILET_LOG_FORMAT": "json",
            "BILET_AUDIT_CHECKPOINT_DIRECTORY": directory.path + "/checkpoints",
        ]

        let first = try BiletProcess.start(["serve"], environment: environment, log: directory.appendingPathComponent("first.log"))
        let firstLines = try await first.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        #expect(firstLines.contains { $0.contains("\"message\":\"migrations applied\"") && $0.contains("\"already_applied\":\"0\"") })
        #expect(try first.terminate() == 0)
        let firstLog = try String(contentsOf: directory.appendingPathComponent("first.log"), encoding: .utf8)
        #expect(firstLog.contains("local postgres stopped"))
        #expect(firstLog.contains("bilet stopped"))
        #expect(firstLog.contains("created a development checkpoint signing key"))
        let keyPath = directory.appendingPathComponent("audit/checkpoint-signing.key").path
        let keyMode = try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)

        // A second start reuses the cluster and applies nothing new.
        let second = try BiletProcess.start(["serve"], environment: environment, log: directory.appendingPathComponent("second.log"))
        let secondLines = try await second.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        #expect(secondLines.contains { $0.contains("\"message\":\"migrations applied\"") && $0.contains("\"applied\":\"0\"") })
        #expect(try second.terminate() == 0)

        let status = try BiletProcess.run(["db", "status"], environment: environment)
        #expect(status.output.contains("is stopped"))
    }

    @Test func badConfigurationStopsTheStartNamingTheKey() throws {
        let result = try BiletProcess.run(["serve"], environment: ["BILET_DATABASE_POOL_SIZE": "0"])
        #expect(result.status != 0)
        #expect(result.output.contains("'database.pool_size'"))
        #expect(result.output.contains("BILET_DATABASE_POOL_SIZE"))
    }

    @Test func everySubcommandHasHelp() throws {
        for command in [[], ["serve"], ["db"], ["db", "start"], ["db", "stop"], ["db", "status"], ["db", "migrate"],
                        ["config"], ["config", "keys"], ["config", "check"], ["policy"], ["bench"], ["audit"], ["audit", "verify"],
                        ["audit", "prove"], ["audit", "query"], ["audit", "report"], ["audit", "export"], ["audit", "gaps"]] {
            let result = try BiletProcess.run(command + ["--help"], environment: [:])
            #expect(result.status == 0, "\(command)")
            #expect(result.output.contains("OVERVIEW: "), "\(command)")
        }
    }
}
