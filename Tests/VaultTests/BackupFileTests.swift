@testable import Backups
import Foundation
import PostgreSQL
import Storage
import Testing
@testable import Vault

/// `bilet backup create` and `verify` on a real database: a real `pg_dump` sealed under keys from
/// the vault's master key, then every kind of bad input refused with its own error.
@Suite("bilet backup: create and verify, and each bad backup refused with its own error")
struct BackupFileTests {
    /// One backup of a populated vault, made once and copied by each case.
    struct Made: Sendable {
        let directory: String
        let path: String
        let passphrase: Passphrase
        let summary: BackupSummary
        let migrationsVersion: Int
    }

    static let made = Task<Made, any Error> {
        let fixture = try await VaultFixture.make()
        _ = try await fixture.family(801)
        _ = try await fixture.family(802)
        let directory = try TemporaryDirectory()
        let path = directory.file("made.bilet-backup")
        let summary = try await BackupCreation.create(
            owner: fixture.database.configuration, to: path, secret: .passphrase(fixture.passphrase))
        let version = try await fixture.asSuperuser { pool in
            try await pool.query("SELECT max(version) FROM bilet_meta.schema_migrations").singleValue(Int.self)
        }
        await fixture.shutdown()
        return Made(directory: directory.path, path: path, passphrase: fixture.passphrase, summary: summary, migrationsVersion: version)
    }

    /// A fresh copy of the made backup, changed by `change`.
    static func copy(_ made: Made, _ change: (inout [UInt8]) -> Void) throws -> String {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: made.path)))
        change(&bytes)
        let path = made.directory + "/" + UUID().uuidString
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a backup of a populated vault verifies with the vault's passphrase and carries its manifest")
    func createAndVerify() async throws {
        let made = try await Self.made.value
        #expect(made.summary.dumpByteCount > 10_000)
        #expect(made.summary.manifest.dumpFormat == "custom")
        #expect(made.summary.manifest.migrationsVersion == made.migrationsVersion)
        #expect(made.summary.manifest.seal.method == "passphrase")
        #expect(abs(made.summary.manifest.createdAt.timeIntervalSinceNow) < 600)
        let attributes = try FileManager.default.attributesOfItem(atPath: made.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let verified = try await BackupVerification.verify(at: made.path, secret: .passphrase(made.passphrase))
        #expect(verified == made.summary)
        // The dump is sealed: pg_dump's custom-format signature is nowhere in the file.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: made.path)))
        #expect(!Self.contains(bytes, Array("PGDMP".utf8)))
        #expect(!Self.contains(bytes, Array("vault.fields".utf8)))
    }

    /// Each way a backup can be bad, and the error it must give.
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case chunkByteFlipped, manifestByteFlipped, macByteFlipped, byteAppended, truncatedMidChunk, truncatedBeforeTrailer,
            truncatedMAC, wrongPassphrase, notABackup, futureVersion, empty

        var testDescription: String { rawValue }

        var expected: BackupError {
            switch self {
            case .chunkByteFlipped, .manifestByteFlipped, .macByteFlipped, .byteAppended: .tampered
            case .truncatedMidChunk, .truncatedBeforeTrailer, .truncatedMAC: .truncated
            case .wrongPassphrase: .wrongKey
            case .notABackup, .empty: .notABackup
            case .futureVersion: .unsupportedVersion(2)
            }
        }
    }

    @Test("a damaged backup or a wrong passphrase is refused with its own error", arguments: Damage.allCases)
    func refused(_ damage: Damage) async throws {
        let made = try await Self.made.value
        let trailer = 1 + 16 + 32 + 32
        var secret = UnsealSecret.passphrase(made.passphrase)
        let path = try Self.copy(made) { bytes in
            let headerEnd = 8 + 2 + 16 + 4 + Int(bytes[26]) << 24 + Int(bytes[27]) << 16 + Int(bytes[28]) << 8 + Int(bytes[29])
            switch damage {
            case .chunkByteFlipped: bytes[headerEnd + 5 + 100] ^= 0x01
            case .manifestByteFlipped: bytes[headerEnd - 3] ^= 0x01
            case .macByteFlipped: bytes[bytes.count - 1] ^= 0x80
            case .byteAppended: bytes.append(0)
            case .truncatedMidChunk: bytes.removeLast(bytes.count - headerEnd - 1_000)
            case .truncatedBeforeTrailer: bytes.removeLast(trailer)
            case .truncatedMAC: bytes.removeLast(7)
            case .wrongPassphrase: secret = .passphrase(Passphrase("not the vault's passphrase (synthetic)"))
            case .notABackup: bytes = Array("PGDMP this is a plain pg_dump file".utf8)
            case .futureVersion: bytes[9] = 2
            case .empty: bytes = []
            }
        }
        let error = await #expect(throws: BackupError.self) {
            try await BackupVerification.verify(at: path, secret: secret)
        }
        #expect(error == damage.expected)
        #expect(error?.description.contains(damage.expected.code) == true)
    }

    @Test("create refuses a passphrase that is not the vault's, and writes nothing")
    func createRefusesWrongKey() async throws {
        let fixture = try await VaultFixture.make()
        let directory = try TemporaryDirectory()
        let path = directory.file("refused.bilet-backup")
        let error = await #expect(throws: BackupError.self) {
            try await BackupCreation.create(
                owner: fixture.database.configuration, to: path, secret: .passphrase(Passphrase("a wrong synthetic passphrase")))
        }
        #expect(error == .wrongKey)
        #expect(!FileManager.default.fileExists(atPath: path))
        await fixture.shutdown()
        directory.remove()
    }

    @Test("pg_dump and pg_restore get the connection through libpq's environment: no password among their arguments")
    func toolInvocation() throws {
        let invocation = try DatabaseToolProcess.invocation(
            ["--format=custom", "--no-password"], configuration: PostgresConfiguration(connectionString: "postgresql://o:S3CRET@h/db"))
        #expect(invocation.environment["PGPASSWORD"] == "S3CRET")
        #expect(invocation.environment["PGUSER"] == "o")
        #expect(invocation.environment["PGDATABASE"] == "db")
        #expect(invocation.arguments == ["--format=custom", "--no-password"])
        #expect(!invocation.arguments.contains { $0.contains("S3CRET") })
        // Of this process's environment only what a program needs passes (no BILET_DATABASE_URL,
        // no unrelated credentials); libpq's variables come from the configuration.
        let passed = invocation.environment.keys.filter { !$0.hasPrefix("PG") }
        let allowed: Set<String> = ["PATH", "HOME", "TMPDIR", "LANG", "LANGUAGE", "TZ", "USER", "LOGNAME"]
        #expect(passed.filter { !allowed.contains($0) && !$0.hasPrefix("LC_") }.sorted() == [])
        #expect(
            ChildEnvironment.filtered(["PATH": "/bin", "BILET_DATABASE_URL": "x", "AWS_SECRET_ACCESS_KEY": "y", "LC_ALL": "C"])
                == ["PATH": "/bin", "LC_ALL": "C"])
    }

    @Test("a restore's second pass reads only the file verified: one put in its place is refused before anything is fed")
    func swappedBetweenPasses() async throws {
        let made = try await Self.made.value
        let secret = UnsealSecret.passphrase(made.passphrase)
        let path = try Self.copy(made) { _ in }
        let verified = try BackupReader.open(at: path, secret: secret)
        #expect(verified.summary == made.summary)
        var fed: UInt64 = 0
        #expect(try BackupReader.decrypt(verified, into: { fed += UInt64($0.count) }) == made.summary)
        #expect(fed == made.summary.dumpByteCount)

        // The same bytes as a new file in its place (another inode): refused, nothing fed.
        let replacement = try Self.copy(made) { _ in }
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: replacement, toPath: path)
        fed = 0
        let swapped = #expect(throws: BackupError.self) { try BackupReader.decrypt(verified, into: { fed += UInt64($0.count) }) }
        #expect(swapped == .tampered)
        #expect(fed == 0)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<start + needle.count]) == needle { return true }
        }
        return false
    }
}
