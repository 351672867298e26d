import Audit
import PostgreSQL

/// Appends the accounts component's audit events inside its transactions and maps failures:
/// an audit failure is ``AccountsError/Code/auditUnavailable``, so the action fails with it.
struct AccountsAudit: Sendable {
    /// Appends a record in a transaction of its own (a refusal recorded outside any change).
    func append(_ event: some TypedAuditEvent, using pool: PostgresConnectionPool) async throws(AccountsError) {
        do {
            try await log.append(event, using: pool)
        } catch {
            throw AccountsError(.auditUnavailable, "the audit record could not be written (\(error.code.rawValue))")
        }
    }

    let log: AuditLog

    func append(_ event: some TypedAuditEvent, on connection: PostgresConnection) async throws(AccountsError) {
        do {
            try await log.append(event, on: connection)
        } catch {
            throw AccountsError(.auditUnavailable, "the audit record could not be written (\(error.code.rawValue))")
        }
    }

    /// Maps an error thrown inside a transaction: accounts errors stay, anything else is storage.
    static func map(_ error: any Error, _ what: String) -> AccountsError {
        if let error = error as? AccountsError { return error }
        return AccountsError(.storage, "\(what) failed")
    }
}
