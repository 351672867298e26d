import Foundation

/// Where the PostgreSQL server programs are: the newest /usr/lib/postgresql/<version>/bin that has
/// them (Debian's layout), else the first directory on PATH that has them.
public struct PostgresBinaries: Sendable, Hashable {
    /// The directory holding `initdb`, `pg_ctl` and `postgres`.
    public let directory: String

    /// Uses the programs in `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    var initdb: String { directory + "/initdb" }
    var pgCtl: String { directory + "/pg_ctl" }

    /// Finds the programs; throws ``LocalClusterError/Code/binariesNotFound``.
    public static func locate() throws(LocalClusterError) -> PostgresBinaries {
        let fileManager = FileManager.default
        func usable(_ directory: String) -> Bool {
            ["initdb", "pg_ctl", "postgres"].allSatisfy { fileManager.isExecutableFile(atPath: directory + "/" + $0) }
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { name in Int(name).map { (version: $0, name: name) } }
            .sorted { $0.version > $1.version }
        for version in versions where usable("\(root)/\(version.name)/bin") {
            return PostgresBinaries(directory: "\(root)/\(version.name)/bin")
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":").map(String.init) where usable(directory) {
            return PostgresBinaries(directory: directory)
        }
        throw LocalClusterError(
            .binariesNotFound, "initdb, pg_ctl and postgres not found in \(root)/*/bin or on PATH")
    }
}
