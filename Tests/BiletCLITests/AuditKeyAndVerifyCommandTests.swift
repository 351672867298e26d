import Audit
import DatabaseTestSupport
import Foundation
import PostgreSQL
import Storage
import Testing
import ServeTestSupport

/// `bilet audit key` and `bilet audit verify` run as the real binary.
@Suite("bilet audit key and verify")
struct AuditKeyAndVerifyCommandTests {
    static let officer = "user:usr_compliance_officer_1"
    static let origin = "bilet.test/audit"

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-audit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func write(_ json: String, to url: URL) throws {
        try Data(json.utf8).write(to: url)
    }

    @Test("audit key prints the verifier key of audit.signing_key, or of the development key, and never makes one")
    func printsVerifierKey() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A configured key.
        let configuredKey = folder.appendingPathComponent("log.pem").path
        let keygen = try BiletProcess.run(["audit", "keygen", "--origin", Self.origin, "--out", configuredKey], environment: [:])
        #expect(keygen.status == 0, "\(keygen.output)")
        let vkey = try #require(keygen.output.split(separator: "\n").last.map(String.init))
        let configured = folder.appendingPathComponent("configured.json")
        try Self.write(#"{"audit": {"signing_key": "\#(configuredKey)", "origin": "\#(Self.origin)"}}"#, to: configured)
        let printed = try BiletProcess.run(["audit", "key", "--config", configured.path], environment: [:])
        #expect(printed.status == 0, "\(printed.output)")
        #expect(printed.output.split(separator: "\n").last.map(String.init) == vkey)

        // The development key of a private-cluster run: var/audit/checkpoint-signing.key beside
        // the cluster's directory, under the default origin.
        let development = folder.appendingPathComponent("development.json")
        let local = folder.appendingPathComponent("var/postgres").path
        try Self.write(#"{"database": {"local_directory": "\#(local)"}}"#, to: development)
        let missing = try BiletProcess.run(["audit", "key", "--config", development.path], environment: [:])
        #expect(missing.status != 0)
        #expect(missing.output.contains("cannot read the signing key"), "\(missing.output)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("var/audit/checkpoint-signing.key").path))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("var/audit"), withIntermediateDirectories: true)
        let devKeygen = try BiletProcess.run(
            ["audit", "keygen", "--origin", "bilet.local/audit", "--out", folder.appendingPathComponent("var/audit/checkpoint-signing.key").path],
            environment: [:])
        #expect(devKeygen.status == 0, "\(devKeygen.output)")
        let devVkey = try #require(devKeygen.output.split(separator: "\n").last.map(String.init))
        let devPrinted = try BiletProcess.run(["audit", "key", "--config", development.path], environment: [:])
        #expect(devPrinted.status == 0, "\(devPrinted.output)")
        #expect(devPrinted.output.split(separator: "\n").last.map(String.init) == devVkey)
        #expect(devVkey.hasPrefix("bilet.local/audit+"))
    }

    @Test("audit verify names the first changed record: its leaf, event id and kind")
    func verifyNamesFirstChangedRecord() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let url = database.cluster.connectionString(database: database.name)
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("log.pem").path
        let keygen = try BiletProcess.run(["audit", "keygen", "--origin", Self.origin, "--out", key], environment: [:])
        let vkey = try #require(keygen.output.split(separator: "\n").last.map(String.init))

        let appender = database.components().makePool(for: .vault)
        let superuser = PostgresConnectionPool(configuration: database.configuration, maxConnections: 1)
        for n in 0..<6 { try await AuditLog().append(AuditGapsCommandTests.read(n), using: appender) }
        let common = ["--database-url", url, "--officer", Self.officer]
        let checkpoints = folder.appendingPathComponent("checkpoints")
        for _ in 0..<50 {
            let sequence = try BiletProcess.run(
                ["audit", "sequence", "--once", "--signing-key", key, "--origin", Self.origin, "--checkpoints", checkpoints.path] + common,
                environment: [:])
            #expect(sequence.status == 0, "\(sequence.output)")
            if try await superuser.query("SELECT count(*) FROM audit.checkpoints WHERE tree_size >= 6").singleValue(Int.self) > 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let verify = ["audit", "verify", "--key", vkey, "--saved", checkpoints.appendingPathComponent("latest").path] + common
        let intact = try BiletProcess.run(verify, environment: [:])
        #expect(intact.status == 0, "\(intact.output)")

        let event4 = try await superuser.query("SELECT event_id FROM audit.leaves WHERE leaf_index = 4").singleValue(Int64.self)
        let event2 = try await superuser.query("SELECT event_id FROM audit.leaves WHERE leaf_index = 2").singleValue(Int64.self)
        try await superuser.execute("UPDATE audit.events SET actor = 'bilet://school/00-0000/ws/9' WHERE id IN (\(event2), \(event4))")
        let tampered = try BiletProcess.run(verify, environment: [:])
        await appender.shutdown()
        await superuser.shutdown()
        #expect(tampered.status == 2, "\(tampered.output)")
        #expect(tampered.output.contains("first changed record: leaf 2, event \(event2), kind pii.read"), "\(tampered.output)")
    }
}
