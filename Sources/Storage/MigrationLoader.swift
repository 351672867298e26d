@_spi(MigrationLoader) import PostgreSQL
import Foundation

/// Reads the migrations shipped in Storage's bundle (`Migrations/NNNN_name.sql`).
enum MigrationLoader {
    /// Every `NNNN_name.sql` in the bundle's `Migrations` folder, sorted by version.
    static func bundled() throws(MigrationError) -> [Migration] {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError(.migrationsUnavailable, "the Migrations folder is missing from the Storage bundle")
        }
        return try load(from: folder)
    }

    /// Every `NNNN_name.sql` in `folder` (other files, such as README.txt, are ignored).
    static func load(from folder: URL) throws(MigrationError) -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw MigrationError(.migrationsUnavailable, "cannot list \(folder.path)")
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            let (version, name) = try parse(fileName: fileName)
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(fileName).path),
                let text = String(validating: data, as: UTF8.self)
            else {
                throw MigrationError(.invalidMigration, "\(fileName) cannot be read as UTF-8", version: version)
            }
            let script: SQLScript
            do {
                script = try SQLScript(migrationFileContents: text)
            } catch {
                throw MigrationError(.invalidMigration, "\(fileName) contains a NUL byte", version: version)
            }
            migrations.append(try Migration(version: version, name: name, script: script))
        }
        return migrations
    }

    /// `0001_component_roles.sql` → (1, "component_roles").
    static func parse(fileName: String) throws(MigrationError) -> (Int, String) {
        let stem = fileName.dropLast(".sql".count)
        let digits = stem.prefix(4)
        guard digits.count == 4, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            let version = Int(digits),
            stem.dropFirst(4).first == "_"
        else {
            throw MigrationError(.invalidMigration, "\(fileName) is not named NNNN_name.sql")
        }
        return (version, String(stem.dropFirst(5)))
    }
}
