public import PostgreSQL

/// Gives every component role its own SCRAM password: `bilet db migrate` runs this as the owner
/// after the migrations. Passwords are made once and kept in ``DatabaseCredentials``; each run sets
/// the role's password from its file again (so a restored or re-created database matches the files),
/// and a rotation makes new ones.
public enum RoleCredentials {
    /// What one run did, per role.
    public struct Report: Sendable, Hashable {
        /// Roles whose password file was made (or replaced) by this run.
        public let created: [String]
        /// Roles whose existing password was set again.
        public let kept: [String]
    }

    /// Makes missing password files and sets every component role's password, through `owner` (a pool
    /// connected as the database owner, who may alter these roles).
    /// - Parameter rotate: replace every password with a new one, and end every session the roles had
    ///   open with the old ones.
    public static func provision(
        _ credentials: DatabaseCredentials, using owner: PostgresConnectionPool, rotate: Bool = false
    ) async throws(CredentialsError) -> Report {
        var created: [String] = []
        var kept: [String] = []
        for component in Component.allCases {
            let role = component.roleName
            let (password, made) = try credentials.ensurePassword(forRole: role, rotate: rotate)
            do {
                let identifier = try SQLIdentifier(role)
                try await owner.withConnection { connection in
                    try await connection.setPassword(of: identifier, to: password)
                }
            } catch {
                throw CredentialsError(.database, role: role, "the database refused to set the password of \(role)")
            }
            if rotate {
                // Connections opened with the old password keep working until they end: end them.
                do {
                    try await owner.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = \(role) AND pid <> pg_backend_pid()")
                } catch {
                    throw CredentialsError(.database, role: role, "the old sessions of \(role) could not be ended")
                }
            }
            if made { created.append(role) } else { kept.append(role) }
        }
        return Report(created: created, kept: kept)
    }
}
