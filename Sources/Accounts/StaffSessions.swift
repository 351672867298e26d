public import Audit
import Foundation
import Identity
public import PostgreSQL

/// Staff sessions in PostgreSQL (gateways are stateless and run side by side): resolving a bearer
/// token, signing out, and ending the sessions bound to revoked certificates.
///
/// A token resolves only when its session is live (not ended, before its absolute expiry, used
/// within the idle timeout), its account is enabled, and the request's connection presents the
/// very certificate (serial and principal) the session was opened with, not past its notAfter: a
/// stolen token is useless from another workstation, and a session ends with its certificate. Each resolution moves the idle deadline. Every refusal is audited
/// (`auth.failed`, method `session`) and throws ``AccountsError/Code/sessionRefused``, one code
/// whatever the cause. With an ``AuthFailureAggregator``, refusals of one workstation beyond its
/// per-minute threshold are counted into one aggregated record instead of one record each.
public struct StaffSessions: Sendable {
    private let pool: PostgresConnectionPool
    private let audit: AccountsAudit
    private let failures: AuthFailureAggregator?
    private let consentVersion: String

    /// Sessions on `pool` (role `bilet_accounts`); `failures` aggregates repeated refusals;
    /// `consentVersion` is the version of the staff consent a session counts as recorded.
    public init(
        pool: PostgresConnectionPool, log: AuditLog = AuditLog(), failures: AuthFailureAggregator? = nil,
        consentVersion: String = StaffConsent.currentVersion
    ) {
        self.pool = pool
        self.audit = AccountsAudit(log: log)
        self.failures = failures
        self.consentVersion = consentVersion
    }

    /// The live session of bearer token `token` on a connection that presented `certificate`.
    ///
    /// - Throws: ``AccountsError/Code/sessionRefused``, ``AccountsError/Code/auditUnavailable``,
    ///   ``AccountsError/Code/storage``.
    public func resolve(token text: String, certificate: PresentedCertificate?) async throws(AccountsError) -> StaffSession {
        let audit = self.audit
        let actor = certificate?.principal.uri ?? "gateway:no-certificate"
        let refused = AccountsError(.sessionRefused, "the session was refused")
        let failures = self.failures
        // Records the refusal (unless aggregated); the caller commits it and then throws `refused`.
        func refuse(_ reason: String, on connection: PostgresConnection) async throws -> StaffSession? {
            if let failures, !failures.admit(actor: actor, method: "session", reason: reason, certificate: certificate?.auditIdentifier) {
                return nil
            }
            try await audit.append(
                AuthFailed(actor: actor, method: "session", reason: reason, certificate: certificate?.auditIdentifier), on: connection)
            return nil
        }
        guard let certificate, let token = SessionToken(text) else {
            do {
                _ = try await pool.withTransaction { connection in
                    try await refuse(certificate == nil ? "no_certificate" : "malformed_token", on: connection)
                }
            } catch {
                throw AccountsAudit.map(error, "refusing a session")
            }
            throw refused
        }
        let digest = try token.digest()
        if let notAfter = certificate.notAfter, notAfter < Int(Date().timeIntervalSince1970) {
            // the workstation certificate expired while the connection was open: no session on it
            do {
                _ = try await pool.withTransaction { connection in try await refuse("certificate_expired", on: connection) }
            } catch {
                throw AccountsAudit.map(error, "refusing a session")
            }
            throw refused
        }
        let resolution = SessionLimits.lastSeenResolution.seconds
        do {
            // The live session is read without a lock; `last_seen` is written only when it is older
            // than ``SessionLimits/lastSeenResolution`` (or a tenth of the idle timeout).
            let live = try await pool.query(
                """
                WITH live AS (
                    SELECT s.id, a.id AS account, a.role, a.organisation, a.region, s.certificate_serial, s.expires_at,
                           s.last_seen, s.idle_timeout,
                           EXISTS (SELECT FROM accounts.staff_consents c WHERE c.account_id = a.id AND c.version = \(consentVersion)) AS consented
                    FROM accounts.sessions s JOIN accounts.accounts a ON a.id = s.account_id
                    WHERE s.token_hash = \(digest) AND NOT a.disabled AND s.ended_at IS NULL
                      AND s.expires_at > clock_timestamp() AND s.last_seen + s.idle_timeout > clock_timestamp()
                      AND s.certificate_serial = \(certificate.serial) AND s.principal = \(certificate.principal.uri)
                ), touched AS (
                    UPDATE accounts.sessions s SET last_seen = clock_timestamp() FROM live
                    WHERE s.id = live.id AND s.ended_at IS NULL
                      AND live.last_seen < clock_timestamp() - LEAST(make_interval(secs => \(resolution)), live.idle_timeout / 10)
                )
                SELECT id, account, role, organisation, region, certificate_serial, expires_at, consented FROM live
                """)
            if let row = live.first {
                guard let role = StaffRole(rawValue: try row.decode(String.self, at: 2)),
                      let organisation = OrganisationURI.parse(try row.decode(String.self, at: 3))
                else { throw AccountsError(.storage, "a stored account does not match the schema") }
                return StaffSession(
                    sessionID: try row.decode(String.self, at: 0), accountID: try row.decode(String.self, at: 1), role: role,
                    organisation: organisation, region: try row.decode(String?.self, at: 4),
                    certificateSerial: try row.decode(String.self, at: 5), expiresAt: try row.decode(Date.self, at: 6),
                    consentRecorded: try row.decode(Bool.self, at: 7))
            }
            let diagnosed = try await pool.withTransaction { connection -> StaffSession? in
                let rows = try await connection.query(
                    """
                    SELECT s.id, s.ended_at IS NOT NULL, s.expires_at <= clock_timestamp(),
                           s.last_seen + s.idle_timeout <= clock_timestamp(), a.disabled,
                           s.certificate_serial = \(certificate.serial) AND s.principal = \(certificate.principal.uri)
                    FROM accounts.sessions s JOIN accounts.accounts a ON a.id = s.account_id
                    WHERE s.token_hash = \(digest) FOR UPDATE OF s
                    """)
                guard let row = rows.first else { return try await refuse("session_unknown", on: connection) }
                let id = try row.decode(String.self, at: 0)
                if try row.decode(Bool.self, at: 1) { return try await refuse("session_ended", on: connection) }
                for (column, reason) in [(2, SessionEndReason.expired), (3, .idleTimeout)] where try row.decode(Bool.self, at: column) {
                    try await connection.execute(
                        "UPDATE accounts.sessions SET ended_at = clock_timestamp(), end_reason = \(reason.rawValue) WHERE id = \(id)")
                    return try await refuse("session_expired", on: connection)
                }
                if try row.decode(Bool.self, at: 4) { return try await refuse("account_disabled", on: connection) }
                return try await refuse("certificate_mismatch", on: connection)
            }
            if let diagnosed { return diagnosed }
        } catch {
            throw AccountsAudit.map(error, "resolving a session")
        }
        throw refused
    }

    /// Ends `session` because its user signed out (`session.ended`, reason `logout`).
    ///
    /// - Throws: ``AccountsError/Code/auditUnavailable``, ``AccountsError/Code/storage``.
    public func logout(_ session: StaffSession) async throws(AccountsError) {
        let audit = self.audit
        do {
            try await pool.withTransaction { connection in
                let ended = try await connection.query(
                    """
                    UPDATE accounts.sessions SET ended_at = clock_timestamp(), end_reason = 'logout'
                    WHERE id = \(session.sessionID) AND ended_at IS NULL
                    RETURNING id, certificate_serial
                    """)
                try await Self.recordEnded(ended, reason: .logout, actor: session.actor, audit: audit, on: connection)
            }
        } catch {
            throw AccountsAudit.map(error, "signing out")
        }
    }

    /// Ends every live session bound to one of `serials` (lowercase hex) for `reason`, auditing
    /// each as `session.ended` by `actor`; returns how many ended.
    ///
    /// - Throws: ``AccountsError/Code/auditUnavailable``, ``AccountsError/Code/storage``; then no
    ///   session of that call ended.
    @discardableResult
    public func endSessions(boundTo serials: Set<String>, reason: SessionEndReason, actor: String) async throws(AccountsError) -> Int {
        let audit = self.audit
        do {
            return try await pool.withTransaction { connection in
                var count = 0
                for serial in serials.sorted() {
                    let ended = try await connection.query(
                        """
                        UPDATE accounts.sessions SET ended_at = clock_timestamp(), end_reason = \(reason.rawValue)
                        WHERE certificate_serial = \(serial) AND ended_at IS NULL
                        RETURNING id, certificate_serial
                        """)
                    try await Self.recordEnded(ended, reason: reason, actor: actor, audit: audit, on: connection)
                    count += ended.count
                }
                return count
            }
        } catch {
            throw AccountsAudit.map(error, "ending sessions")
        }
    }

    /// Appends one `session.ended` per row of `id, certificate_serial`.
    static func recordEnded(
        _ rows: QueryResult, reason: SessionEndReason, actor: String, audit: AccountsAudit, on connection: PostgresConnection
    ) async throws {
        for row in rows {
            try await audit.append(
                SessionEnded(
                    actor: actor, session: try row.decode(String.self, at: 0), reason: reason.rawValue,
                    certificate: "serial:\(try row.decode(String.self, at: 1))"), on: connection)
        }
    }
}
