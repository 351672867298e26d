import Audit
import CertificateAuthority
import DatabaseTestSupport
import Foundation
import GnuTLS
import Identity
import PostgreSQL
import Storage
import TLSTestSupport

/// A platform CA for one test: ECDSA and GOST hierarchies in a temporary directory (made by
/// `AuthorityDirectory.initialise`), a fresh migrated database, and the CA connected as `bilet_ca`.
final class CAFixture: Sendable {
    let directory: URL
    let authorityDirectory: AuthorityDirectory
    let issuingPassphraseFile: String
    let database: TestDatabase
    let pool: PostgresConnectionPool
    let issuers: [Hierarchy: CertificateIssuer]

    static let rootPassphrase = "test root passphrase 0001"
    static let issuingPassphrase = "test issuing passphrase 0002"

    private init(
        directory: URL, authorityDirectory: AuthorityDirectory, issuingPassphraseFile: String, database: TestDatabase,
        pool: PostgresConnectionPool, issuers: [Hierarchy: CertificateIssuer]
    ) {
        self.directory = directory
        self.authorityDirectory = authorityDirectory
        self.issuingPassphraseFile = issuingPassphraseFile
        self.database = database
        self.pool = pool
        self.issuers = issuers
    }

    static func make(hierarchies: [Hierarchy] = [.ecdsa, .gost]) async throws -> CAFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let authority = AuthorityDirectory(path: directory.appendingPathComponent("ca").path)
        let now = Int(Date().timeIntervalSince1970)
        for hierarchy in hierarchies {
            try authority.initialise(
                hierarchy, rootPassphrase: try Passphrase(rootPassphrase), issuingPassphrase: try Passphrase(issuingPassphrase), now: now)
        }
        let passphraseFile = directory.appendingPathComponent("issuing.passphrase").path
        try Passphrase(issuingPassphrase).write(to: passphraseFile)
        let issuers = hierarchies.isEmpty ? [:] : try authority.issuingAuthorities(passphrase: try Passphrase.file(passphraseFile))
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: .ca)
        return CAFixture(
            directory: directory, authorityDirectory: authority, issuingPassphraseFile: passphraseFile, database: database, pool: pool,
            issuers: issuers)
    }

    /// The CA, optionally with a clock of its own (to issue certificates that started in the past)
    /// and a renewal overlap of its own.
    func authority(
        clock: (@Sendable () -> Int)? = nil, validityDays: Int = CertificateProfile.defaultValidityDays,
        renewalOverlapSeconds: Int = CertificateAuthority.defaultRenewalOverlapSeconds
    ) -> CertificateAuthority {
        if let clock {
            return CertificateAuthority(
                issuers: self.issuers, pool: self.pool, validityDays: validityDays, renewalOverlapSeconds: renewalOverlapSeconds, clock: clock)
        }
        return CertificateAuthority(
            issuers: self.issuers, pool: self.pool, validityDays: validityDays, renewalOverlapSeconds: renewalOverlapSeconds)
    }

    func path(_ name: String) -> String { self.directory.appendingPathComponent(name).path }

    /// A workstation or service enrolled the real way: key and request made "on the machine",
    /// signed by the CA, chain and key written to `<name>.pem` and `<name>.key`.
    @discardableResult
    func enrol(
        _ identity: String, name: String, keyType: KeyType = .ecdsaP256, authority: CertificateAuthority? = nil
    ) async throws -> IssuedCertificate {
        let principal = try IdentityURI.parse(identity)
        let request = try CertificateRequester.request(
            identity: principal, keyType: keyType, keyPath: self.path("\(name).key"), replacingKey: true)
        let issued = try await (authority ?? self.authority()).sign(request.request, for: principal, actor: "admin:test")
        try ProtectedFile.writePublic(issued.chainPEM, to: self.path("\(name).pem"))
        return issued
    }

    /// A gateway server certificate and key for 127.0.0.1 and localhost.
    func server(name: String, keyType: KeyType) async throws {
        let key = try PrivateKey.generate(algorithm: keyType.algorithm)
        let issued = try await self.authority().issueServer(
            names: [.dnsName("localhost"), .ipAddress("127.0.0.1")!], publicKey: key.publicKey, actor: "admin:test")
        try ProtectedFile.writeSecret(Array(try key.exportPEM().utf8), to: self.path("\(name).key"), replacing: true)
        try ProtectedFile.writePublic(issued.chainPEM, to: self.path("\(name).pem"))
    }

    /// The initial (empty) CRLs of every issuing CA and root, concatenated, written to `name`.
    func initialRevocationLists(into name: String) throws {
        try ProtectedFile.writePublic(try self.authorityDirectory.initialRevocationLists(), to: self.path(name))
    }

    /// Rows of a query run as the superuser.
    func query(_ statement: SQLStatement) async throws -> QueryResult {
        try await self.database.withPool { try await $0.query(statement) }
    }

    /// The audit events of a type, as (actor, payload fields).
    func auditEvents(_ type: String) async throws -> [(actor: String, payload: [String: String])] {
        let rows = try await self.query("SELECT actor, payload::text FROM audit.events WHERE kind = \(type) ORDER BY id")
        return try rows.map { row in
            let text = try row.decode(String.self, at: 1)
            let fields = (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]) ?? [:]
            return (try row.decode(String.self, at: 0), fields)
        }
    }

    func tearDown() async {
        await self.pool.shutdown()
        try? FileManager.default.removeItem(at: self.directory)
    }
}

/// What a `bilet` run printed and how it ended.
struct CLIResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
    let timedOut: Bool
}

/// The built `bilet` binary, run to completion with a time limit.
enum BiletBinary {
    static var path: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/bilet").path
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(120)) async throws -> CLIResult {
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BILET_") }
        merged.merge(environment) { $1 }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = merged
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var timedOut = false
        while process.isRunning {
            if clock.now >= deadline {
                timedOut = true
                process.terminate()
                break
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        return CLIResult(
            status: timedOut ? -1 : process.terminationStatus,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "", timedOut: timedOut)
    }
}
