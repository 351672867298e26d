extension PostgresConnection {
    /// Sets `role`'s password to `password`, sending only its SCRAM-SHA-256 verifier, computed on this
    /// side: the password never travels to the server, its logs or `pg_stat_activity`.
    ///
    /// `ALTER ROLE … PASSWORD` takes no bind parameters, so the statement is composed here from the
    /// quoted identifier and the verifier, after checking that the verifier holds only the characters
    /// of its format (`SCRAM-SHA-256$<iterations>:<salt>$<stored key>:<server key>`, base64).
    ///
    /// - Throws: ``PostgresError`` when the verifier cannot be computed or the server refuses
    ///   (for example the caller may not alter roles).
    public func setPassword(of role: SQLIdentifier, to password: String) async throws(PostgresError) {
        let name = role.name
        try await withSession { session throws(PostgresError) in
            let verifier = try session.scramVerifier(password: password, user: name)
            let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=$:-")
            guard verifier.hasPrefix("SCRAM-SHA-256$"), verifier.allSatisfy({ allowed.contains($0) }) else {
                throw PostgresError(code: .invalidParameter, reason: "the SCRAM verifier has an unexpected form")
            }
            try session.execute(script: SQLScript(composedInternally: "ALTER ROLE \(role.quoted) PASSWORD '\(verifier)'"))
        }
    }
}
