import Audit
import DatabaseTestSupport
import Foundation
import Policy
import PostgreSQL
import ServeTestSupport
import Testing
import Vault

/// `bilet backup create` and `verify` as the operator runs them: the real binary against a real
/// database whose vault was initialised with a key file; then each bad backup gives a non-zero
/// exit and its own error code.
@Suite("bilet backup as a command: create, verify, and distinct refusals")
struct BackupCommandTests {
    @Test("create writes a backup that verify accepts; a tampered, truncated or wrong-key backup exits 1 with its own code")
    func createAndVerify() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-backup-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = directory + "/vault.key"
        let otherKey = directory + "/other.key"
        for path in [key, otherKey] {
            #expect(try BiletProcess.run(["vault", "keygen", path], environment: [:]).status == 0)
        }
        let pool = database.components(maxConnectionsPerComponent: 1).makePool(for: .vault)
        let policies = try PolicyStore(directory: BiletProcess.root.appendingPathComponent("policies").path, hasher: SHA256VersionHasher())
        try await Vault(pool: pool, policies: policies, audit: AuditLog()).initialize(with: .keyFile(path: key), by: "admin:test")
        await pool.shutdown()

        let url = database.cluster.connectionString(database: database.name)
        let backup = directory + "/cli.bilet-backup"
        let created = try BiletProcess.run(
            ["backup", "create", "--database-url", url, "--key-file", key, "--output", backup], environment: [:])
        #expect(created.status == 0, "\(created.output)")
        #expect(created.output.contains("migrations version: "))
        let verified = try BiletProcess.run(["backup", "verify", "--key-file", key, backup], environment: [:])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("OK: the backup is intact"))
        // Refuses to overwrite.
        let again = try BiletProcess.run(
            ["backup", "create", "--database-url", url, "--key-file", key, "--output", backup], environment: [:])
        #expect(again.status != 0)

        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: backup)))
        var tampered = bytes
        tampered[bytes.count / 2] ^= 0x01
        let cases: [(name: String, bytes: [UInt8], key: String, code: String)] = [
            ("tampered", tampered, key, "backup.tampered"),
            ("truncated", Array(bytes.prefix(bytes.count - 100)), key, "backup.truncated"),
            ("wrong key", bytes, otherKey, "backup.wrong_key"),
            ("not a backup", Array("-- plain SQL".utf8), key, "backup.not_a_backup"),
        ]
        for item in cases {
            let path = directory + "/" + item.name.replacingOccurrences(of: " ", with: "-")
            try Data(item.bytes).write(to: URL(fileURLWithPath: path))
            let outcome = try BiletProcess.run(["backup", "verify", "--key-file", item.key, path], environment: [:])
            #expect(outcome.status == 1, "\(item.name): \(outcome.output)")
            #expect(outcome.output.contains(item.code), "\(item.name): \(outcome.output)")
        }
    }
}
