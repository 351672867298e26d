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
    /// A database with an initialised vault, its key file, another key file, and one backup made by
    /// `bilet backup create`, shared by the cases below.
    struct Made: Sendable {
        let directory: String
        let url: String
        let key: String
        let otherKey: String
        let backup: String
        /// What `bilet backup create` answered.
        let created: (status: Int32, output: String)
    }

    static let made = Task<Made, any Error> {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-backup-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let key = directory + "/vault.key"
        let otherKey = directory + "/other.key"
        for path in [key, otherKey] {
            let generated = try BiletProcess.run(["vault", "keygen", path], environment: [:])
            try #require(generated.status == 0, "\(generated.output)")
        }
        let pool = database.components(maxConnectionsPerComponent: 1).makePool(for: .vault)
        let policies = try PolicyStore(directory: BiletProcess.root.appendingPathComponent("policies").path, hasher: SHA256VersionHasher())
        try await Vault(pool: pool, policies: policies, audit: AuditLog()).initialize(with: .keyFile(path: key), by: "admin:test")
        await pool.shutdown()
        let url = database.cluster.connectionString(database: database.name)
        let backup = directory + "/cli.bilet-backup"
        let created = try BiletProcess.run(
            ["backup", "create", "--database-url", url, "--key-file", key, "--output", backup], environment: [:])
        return Made(directory: directory, url: url, key: key, otherKey: otherKey, backup: backup, created: created)
    }

    @Test("create writes a backup that verify accepts, and refuses to overwrite it")
    func createAndVerify() async throws {
        let made = try await Self.made.value
        #expect(made.created.status == 0, "\(made.created.output)")
        #expect(made.created.output.contains("migrations version: "))
        let verified = try BiletProcess.run(["backup", "verify", "--key-file", made.key, made.backup], environment: [:])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("OK: the backup is intact"))
        // Refuses to overwrite: exit 1 with its own code, and the first backup's bytes are untouched.
        let before = try Data(contentsOf: URL(fileURLWithPath: made.backup))
        let again = try BiletProcess.run(
            ["backup", "create", "--database-url", made.url, "--key-file", made.key, "--output", made.backup], environment: [:])
        #expect(again.status == 1, "\(again.output)")
        #expect(again.output.contains("error: backup.io: cannot create the backup file (it may exist already)"), "\(again.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: made.backup)) == before)
    }

    /// Each bad backup `verify` is given, and the code it must answer.
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case tampered, truncated, wrongKey, notABackup

        var testDescription: String { rawValue }

        var code: String {
            switch self {
            case .tampered: "backup.tampered"
            case .truncated: "backup.truncated"
            case .wrongKey: "backup.wrong_key"
            case .notABackup: "backup.not_a_backup"
            }
        }
    }

    @Test("a tampered, truncated, wrong-key or foreign file makes verify exit 1 with its own code", arguments: Damage.allCases)
    func refused(_ damage: Damage) async throws {
        let made = try await Self.made.value
        try #require(made.created.status == 0, "\(made.created.output)")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: made.backup)))
        var damaged = bytes
        var key = made.key
        switch damage {
        case .tampered: damaged[bytes.count / 2] ^= 0x01
        case .truncated: damaged = Array(bytes.prefix(bytes.count - 100))
        case .wrongKey: key = made.otherKey
        case .notABackup: damaged = Array("-- plain SQL".utf8)
        }
        let path = made.directory + "/" + damage.rawValue
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        let outcome = try BiletProcess.run(["backup", "verify", "--key-file", key, path], environment: [:])
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.output.contains("error: \(damage.code)"), "\(outcome.output)")
    }
}
