import Foundation
import Storage

extension ServeRun {
    /// One statement in the run's database as the private cluster's owner (psql): the first
    /// column of the first row, as text. For seeding synthetic rows a test cannot reach through the
    /// API quickly, and for reading what was stored (the audit log).
    public func sql(_ statement: String) throws -> String {
        let cluster = try LocalCluster(directory: directory.path + "/pg", authentication: .scram)
        let password = try DatabaseCredentials(directory: cluster.directory).password(forRole: "owner")
        let result = try BiletProcess.run(
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", statement, cluster.connectionString(database: "bilet")],
            environment: ["PGPASSWORD": password], executable: URL(fileURLWithPath: try PostgresBinaries.locate().directory + "/psql"))
        try Self.check(result.status == 0, "psql: \(result.output)")
        return result.output.split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
    }
}
