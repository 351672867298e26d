import Foundation
import Testing
import ServeTestSupport

/// `bilet serve` end to end, as the README's run command uses it: the real binary, a private
/// PostgreSQL cluster created from nothing, migrations applied by `bilet db migrate` (never by serve),
/// each trust domain in its own process, a clean stop on SIGTERM.
@Suite(.serialized) struct ServeCommandTests {
    @Test func servesWithPrivateClusterAndStopsCleanly() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bilet-serve-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = [
            "BILET_DATABASE_LOCAL_DIRECTORY": directory.path + "/pg", "BILET_LOG_FORMAT": "json",
            "BILET_AUDIT_CHECKPOINT_DIRECTORY": directory.path + "/checkpoints",
            "BILET_VAULT_CONTROL_SOCKET": directory.path + "/vault/control.sock",
        ]

        // Serving processes never migrate: before `bilet db migrate` there is nothing to serve with.
        let unmigrated = try BiletProcess.run(["serve"], environment: environment)
        #expect(unmigrated.status != 0)
        #expect(unmigrated.output.contains("run `bilet db migrate`"), "\(unmigrated.output)")
        let migrated = try BiletProcess.run(["db", "migrate"], environment: environment)
        #expect(migrated.status == 0, "\(migrated.output)")
        #expect(migrated.output.contains("\"message\":\"migrations applied\"") && migrated.output.contains("\"already_applied\":\"0\""))
        #expect(migrated.output.contains("Component role passwords: 13 made, 0 kept"), "\(migrated.output)")

        let first = try BiletProcess.start(["serve"], environment: environment, log: directory.appendingPathComponent("first.log"))
        let firstLines = try await first.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        let ready = try #require(ServeCommandTests.records(firstLines, message: "bilet is ready").first)
        #expect(ready["components"] as? String == "vault,sequencer", "no gateway.listeners: no gateway and no CA process")
        #expect(try first.terminate() == 0)
        let firstLog = try String(contentsOf: directory.appendingPathComponent("first.log"), encoding: .utf8)
        #expect(firstLog.contains("local postgres stopped"))
        #expect(firstLog.contains("bilet stopped"))
        #expect(firstLog.contains("created a development checkpoint signing key"))
        #expect(firstLog.contains("vault control socket listening"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/vault/control.sock"), "the socket is removed on stop")
        let keyPath = directory.appendingPathComponent("audit/checkpoint-signing.key").path
        let keyMode = try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)

        // A second migration applies nothing new and keeps the passwords; a second start reuses the cluster.
        let again = try BiletProcess.run(["db", "migrate"], environment: environment)
        #expect(again.output.contains("\"applied\":\"0\""), "\(again.output)")
        #expect(again.output.contains("0 made, 13 kept"), "\(again.output)")
        let second = try BiletProcess.start(["serve"], environment: environment, log: directory.appendingPathComponent("second.log"))
        _ = try await second.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        let secondStatus = try second.terminate()
        #expect(secondStatus == 0, "\((try? String(contentsOf: directory.appendingPathComponent("second.log"), encoding: .utf8)) ?? "")")

        let status = try BiletProcess.run(["db", "status"], environment: environment)
        #expect(status.output.contains("is stopped"))
    }

    /// A changed policy file is validated and swapped in; a broken one is rejected and the set in
    /// force stays; both are audited.
    @Test func policyReloadAppliesValidAndRejectsInvalidSets() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bilet-reload-\(UInt32.random(in: 0...UInt32.max))")
        let policies = directory.appendingPathComponent("policies")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = BiletProcess.root.appendingPathComponent("policies")
        try FileManager.default.copyItem(at: source, to: policies)
        let environment = [
            "BILET_DATABASE_LOCAL_DIRECTORY": directory.path + "/pg", "BILET_POLICY_DIRECTORY": policies.path,
            "BILET_AUDIT_CHECKPOINT_DIRECTORY": directory.path + "/checkpoints",
            "BILET_VAULT_CONTROL_SOCKET": directory.path + "/vault/control.sock",
        ]
        let log = directory.appendingPathComponent("serve.log")
        #expect(try BiletProcess.run(["db", "migrate"], environment: environment).status == 0)
        let serve = try BiletProcess.start(["serve"], environment: environment, log: log)
        let startLines = try await serve.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        let loaded = try #require(startLines.first { $0.contains("\"message\":\"policy loaded\"") })

        let pupil = policies.appendingPathComponent("pupil.policy")
        let original = try String(contentsOf: pupil, encoding: .utf8)
        try (original + "\n// reviewed\n").write(to: pupil, atomically: true, encoding: .utf8)
        let applied = try await serve.waitForLine(containing: "\"message\":\"policy reloaded\"", timeout: .seconds(30))
        let reloaded = try #require(applied.first { $0.contains("\"message\":\"policy reloaded\"") })
        #expect(reloaded.contains("\"reason\":\"files changed\""))
        #expect(Self.version(in: reloaded) != nil)
        #expect(Self.version(in: reloaded) != Self.version(in: loaded), "the version must change")

        try (original + "\npermit (principal is nobody_at_all, action == read, resource is pupil);\n")
            .write(to: pupil, atomically: true, encoding: .utf8)
        let rejectedLines = try await serve.waitForLine(containing: "policy reload rejected", timeout: .seconds(30))
        let rejected = try #require(rejectedLines.first { $0.contains("policy reload rejected") })
        #expect(Self.version(in: rejected) == Self.version(in: reloaded), "the previous set stays in force")
        #expect(rejected.contains("pupil.policy:"), "diagnostics name the file and position")
        #expect(try serve.terminate() == 0)
        let all = try String(contentsOf: log, encoding: .utf8)
        #expect(!all.contains("could not be audited"))
    }

    static func version(in line: String) -> String? {
        guard let range = line.range(of: "\"version\":\"") else { return nil }
        return String(line[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test func badConfigurationStopsTheStartNamingTheKey() throws {
        let result = try BiletProcess.run(["serve"], environment: ["BILET_DATABASE_POOL_SIZE": "0"])
        #expect(result.status != 0)
        #expect(result.output.contains("'database.pool_size'"))
        #expect(result.output.contains("BILET_DATABASE_POOL_SIZE"))
    }

    @Test func everySubcommandHasHelp() throws {
        for command in [[], ["serve"], ["db"], ["db", "start"], ["db", "stop"], ["db", "status"], ["db", "migrate"],
                        ["config"], ["config", "keys"], ["config", "check"], ["policy"], ["audit"], ["audit", "verify"],
                        ["audit", "prove"], ["audit", "query"], ["audit", "report"], ["audit", "export"], ["audit", "gaps"]] {
            let result = try BiletProcess.run(command + ["--help"], environment: [:])
            #expect(result.status == 0, "\(command)")
            #expect(result.output.contains("OVERVIEW: "), "\(command)")
        }
    }
}
