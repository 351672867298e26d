import Foundation
import DatabaseTestSupport
import PostgreSQL
@testable import Storage
import Testing

@Suite("Migrator applies each migration once, in order, safely under concurrency")
struct MigratorTests {
    /// The versions of the migrations shipped with bilet (0001-0004, 0010, …).

    @Test("the bundled migrations load in version order")
    func bundledMigrations() throws {
        let migrator = try Migrator.bundled()
        #expect(migrator.migrations.map(\.version) == MigrationFiles.versions)
        #expect(migrator.migrations.map(\.name) == MigrationFiles.names)
        #expect(Array(migrator.migrations.map(\.name).prefix(4)) == [
            "component_roles", "component_schemas", "vault_subjects", "audit_events",
        ])
        for migration in migrator.migrations {
            #expect(migration.script.sql.hasPrefix("-- \(String(format: "%04d", migration.version)) "))
        }
    }

    @Test("file names parse as NNNN_name.sql")
    func fileNames() throws {
        let (version, name) = try MigrationLoader.parse(fileName: "0042_add_consents.sql")
        #expect(version == 42)
        #expect(name == "add_consents")
    }

    @Test("malformed file names are refused", arguments: ["1_x.sql", "0001x.sql", "abcd_x.sql", "00a1_x.sql", "٠٠٠١_x.sql"])
    func malformedFileNames(fileName: String) {
        let error = #expect(throws: MigrationError.self) { try MigrationLoader.parse(fileName: fileName) }
        #expect(error?.code == .invalidMigration)
    }

    @Test("malformed migration names and versions are refused", arguments: [
        (1, ""), (1, "Upper"), (1, "with space"), (1, "dash-ed"), (0, "zero"), (-1, "negative"),
    ])
    func malformedMigrations(version: Int, name: String) {
        let error = #expect(throws: MigrationError.self) {
            try Migration(version: version, name: name, script: "SELECT 1;")
        }
        #expect(error?.code == .invalidMigration)
    }

    @Test("two migrations with one version are refused")
    func duplicateVersions() throws {
        let error = #expect(throws: MigrationError.self) {
            try Migrator(migrations: [
                Migration(version: 1, name: "a", script: "SELECT 1;"),
                Migration(version: 1, name: "b", script: "SELECT 2;"),
            ])
        }
        #expect(error?.code == .duplicateVersion)
        #expect(error?.version == 1)
    }

    @Test("migrating twice changes nothing the second time")
    func idempotent() async throws {
        let database = try await TestPostgres.makeDatabase()
        let first = try await database.migrate()
        #expect(first.applied == MigrationFiles.versions)
        #expect(first.alreadyApplied == [])
        let recordedBefore = try await recorded(database)

        let second = try await database.migrate()
        #expect(second.applied == [])
        #expect(second.alreadyApplied == MigrationFiles.versions)
        #expect(try await recorded(database) == recordedBefore)
        #expect(recordedBefore.map(\.version) == MigrationFiles.versions)
        for record in recordedBefore {
            #expect(record.checksum.count == 64)
            #expect(record.checksum.allSatisfy { "0123456789abcdef".contains($0) })
        }
    }

    @Test("two migrators starting at once on a fresh database both succeed; each migration is applied once")
    func concurrentMigrators() async throws {
        let database = try await TestPostgres.makeDatabase()
        let migrator = try Migrator.bundled()
        let first = PostgresConnectionPool(configuration: database.configuration, maxConnections: 1)
        let second = PostgresConnectionPool(configuration: database.configuration, maxConnections: 1)
        async let reportA = migrator.migrate(using: first)
        async let reportB = migrator.migrate(using: second)
        let (a, b) = try await (reportA, reportB)
        await first.shutdown()
        await second.shutdown()

        #expect((a.applied + b.applied).sorted() == MigrationFiles.versions)
        #expect(Set(a.applied).isDisjoint(with: b.applied))
        #expect((a.applied + a.alreadyApplied).sorted() == MigrationFiles.versions)
        #expect((b.applied + b.alreadyApplied).sorted() == MigrationFiles.versions)
        #expect(try await recorded(database).map(\.version) == MigrationFiles.versions)
    }

    @Test("migrating several databases of one fresh cluster at once creates the shared roles safely")
    func concurrentDatabasesOfOneCluster() async throws {
        let cluster = try await TestPostgres.makeDedicatedCluster()
        let admin = PostgresConnectionPool(configuration: cluster.configuration(), maxConnections: 1)
        let names = (0..<8).map { "concurrent_\($0)" }
        var pools: [PostgresConnectionPool] = []
        for name in names {
            try await admin.execute("CREATE DATABASE \(identifier: try SQLIdentifier(name))")
            let pool = PostgresConnectionPool(configuration: cluster.configuration(database: name), maxConnections: 1)
            _ = try await pool.query("SELECT 1")  // connected before the race starts
            pools.append(pool)
        }
        let migrator = try Migrator.bundled()
        try await withThrowingTaskGroup(of: Migrator.Report.self) { group in
            for pool in pools {
                group.addTask { try await migrator.migrate(using: pool) }
            }
            for try await report in group {
                #expect(report.applied == MigrationFiles.versions)
            }
        }
        for pool in pools { await pool.shutdown() }
        let roles = try await admin.query("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'bilet\\_%'")
        #expect(try roles.singleValue(Int.self) == Component.allCases.count)
        await admin.shutdown()
        try await cluster.stop()
    }

    @Test("a changed applied migration is refused with checksumMismatch")
    func changedChecksum() async throws {
        let database = try await TestPostgres.makeDatabase()
        let original = try Migrator(migrations: [
            Migration(version: 1, name: "one", script: "CREATE TABLE one (id int);")
        ])
        #expect(try await database.migrate(original).applied == [1])

        let edited = try Migrator(migrations: [
            Migration(version: 1, name: "one", script: "CREATE TABLE one (id int, extra int);"),
            Migration(version: 2, name: "two", script: "CREATE TABLE two (id int);"),
        ])
        let error = await #expect(throws: MigrationError.self) { try await database.migrate(edited) }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.version == 1)
        // Nothing after the refused migration ran.
        #expect(try await recorded(database).map(\.version) == [1])
    }

    @Test("a failing migration is rolled back entirely and reported with its version")
    func failingMigration() async throws {
        let database = try await TestPostgres.makeDatabase()
        let broken = try Migrator(migrations: [
            Migration(version: 1, name: "one", script: "CREATE TABLE one (id int);"),
            Migration(version: 2, name: "two", script: "CREATE TABLE two (id int); SELEKT 1;"),
        ])
        let error = await #expect(throws: MigrationError.self) { try await database.migrate(broken) }
        #expect(error?.code == .migrationFailed)
        #expect(error?.version == 2)
        #expect(error?.underlying?.code == .server(.syntaxError))
        #expect(try await recorded(database).map(\.version) == [1])
        let tables = try await database.withPool { pool in
            try await pool.query("SELECT count(*) FROM pg_tables WHERE tablename = 'two'").singleValue(Int.self)
        }
        #expect(tables == 0)
    }

    struct Record: Equatable {
        let version: Int
        let name: String
        let checksum: String
        let appliedAt: Date
    }

    private func recorded(_ database: TestDatabase) async throws -> [Record] {
        try await database.withPool { pool in
            try await pool.query(
                "SELECT version, name, checksum, applied_at FROM bilet_meta.schema_migrations ORDER BY version"
            ).map { row in
                Record(
                    version: try row.decode(Int.self, column: "version"),
                    name: try row.decode(String.self, column: "name"),
                    checksum: try row.decode(String.self, column: "checksum"),
                    appliedAt: try row.decode(Date.self, column: "applied_at"))
            }
        }
    }
}

/// The migration files in Sources/Storage/Migrations, listed from the source tree independently of
/// the loader, so a file the loader skipped or misordered fails the tests.
enum MigrationFiles {
    static let files: [(version: Int, name: String)] = {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Storage/Migrations")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".sql") }.sorted().map { file in
            let stem = file.dropLast(4)
            let underscore = stem.firstIndex(of: "_")!
            return (Int(stem[..<underscore])!, String(stem[stem.index(after: underscore)...]))
        }
    }()
    static var versions: [Int] { files.map(\.version) }
    static var names: [String] { files.map(\.name) }
}
