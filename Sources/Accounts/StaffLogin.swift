public import Audit
import Foundation
import Identity
public import PostgreSQL

/// The staff login: two factors, the account's password and a workstation certificate of the
/// account's own organisation, presented on the same mTLS connection.
///
/// A login succeeds only when the password verifies, the account is enabled and not locked, and
/// the certificate's organisation is the account's. Every attempt, success or failure, is audited
/// (`auth.succeeded` / `auth.failed`, the typed login only as a keyed hash) in the same transaction
/// that updates the failure counter or opens the session; if the record cannot be written, the
/// login fails with ``AccountsError/Code/auditUnavailable`` and nothing changes.
///
/// Refusals all throw ``AccountsError/Code/loginFailed``: the caller cannot tell an unknown login
/// from a wrong password, a locked or disabled account, or a certificate of another organisation.
/// An unknown login does the same work as a known or locked one: one Argon2id verification (against
/// a dummy hash) and the same SQL statements (the account lookup, then the row lock, which finds
/// no row). After ``SessionLimits/maximumFailedAttempts`` consecutive failures the account is
/// locked for ``SessionLimits/lockDuration``, during which even the right password is refused.
///
/// Only a workstation of the account's own organisation can count toward that lockout: the
/// organisation is checked before anything is counted, so an attempt from another school's
/// workstation is refused (and audited as `organisation_mismatch`) but never locks the account.
/// Password checks are shared fairly between workstations (``PasswordHasher``): a workstation
/// flooding logins is answered ``AccountsError/Code/busy`` itself.
public struct StaffLogin: Sendable {
    private let pool: PostgresConnectionPool
    private let hasher: PasswordHasher
    private let attemptedAccountHash: @Sendable (_ login: String) async -> String?

    /// The audit field, and keyed-hash domain, of a typed login.
    public static let attemptedAccountField = "attempted_account"
    private let limits: SessionLimits
    private let audit: AccountsAudit
    private let failures: AuthFailureAggregator?

    /// A login service on `pool` (role `bilet_accounts`); `hashKey` turns typed logins into
    /// keyed hashes for the audit log; `failures` aggregates one workstation's failures beyond its
    /// per-minute threshold into one record.
    public init(
        pool: PostgresConnectionPool, hasher: PasswordHasher, hashKey: AuditHashKey, limits: SessionLimits = SessionLimits(),
        log: AuditLog = AuditLog(), failures: AuthFailureAggregator? = nil
    ) {
        self.init(pool: pool, hasher: hasher, hashKeySource: { hashKey }, limits: limits, log: log, failures: failures)
    }

    /// A login service whose audit hash key comes from `hashKeySource` at each attempt (the
    /// vault's key hierarchy, `nil` while the vault is sealed). Without a key no attempt can be
    /// audited, so every login is refused with ``AccountsError/Code/auditUnavailable``.
    public init(
        pool: PostgresConnectionPool, hasher: PasswordHasher, hashKeySource: @escaping @Sendable () -> AuditHashKey?,
        limits: SessionLimits = SessionLimits(), log: AuditLog = AuditLog(), failures: AuthFailureAggregator? = nil
    ) {
        self.init(
            pool: pool, hasher: hasher,
            attemptedAccountHash: { login in try? hashKeySource()?.hash(login, field: Self.attemptedAccountField).description },
            limits: limits, log: log, failures: failures)
    }

    /// A login service that asks `attemptedAccountHash` for the audit hash of each typed login: in a split
    /// deployment, the vault process computes it and the gateway never holds the key. `nil` (vault
    /// sealed or unreachable) refuses the login with ``AccountsError/Code/auditUnavailable``.
    public init(
        pool: PostgresConnectionPool, hasher: PasswordHasher,
        attemptedAccountHash: @escaping @Sendable (_ login: String) async -> String?,
        limits: SessionLimits = SessionLimits(), log: AuditLog = AuditLog(), failures: AuthFailureAggregator? = nil
    ) {
        self.pool = pool
        self.hasher = hasher
        self.attemptedAccountHash = attemptedAccountHash
        self.limits = limits
        self.audit = AccountsAudit(log: log)
        self.failures = failures
    }

    private enum Outcome {
        case opened(OpenedSession)
        case refused
    }

    /// A well-formed account id no account has (random ids never take this value in practice):
    /// what an unknown login locks, so its transaction runs the statements a known one runs.
    static let absentAccountID = "usr_" + String(repeating: "0", count: 22)

    private struct Stored {
        let id: String
        /// nil while the account is pending activation: nothing verifies against it.
        let passwordHash: String?
    }

    /// Signs `login` in with `password` on a connection that presented `certificate`.
    ///
    /// - Throws: ``AccountsError/Code/loginFailed`` for every refusal,
    ///   ``AccountsError/Code/auditUnavailable``, ``AccountsError/Code/storage``,
    ///   ``AccountsError/Code/crypto``.
    public func login(_ login: String, password: String, certificate: PresentedCertificate) async throws(AccountsError)
        -> OpenedSession
    {
        let normalised = AccountStore.normalisedLogin(login)
        guard let attempted = await attemptedAccountHash(normalised ?? login) else {
            throw AccountsError(.auditUnavailable, "the typed login cannot be hashed for the audit log (vault sealed or unreachable)")
        }
        // A malformed login still runs the lookup (with a login no account can have), so it costs
        // what any other attempt costs.
        let stored: Stored?
        do {
            stored = try await pool.query(
                "SELECT id, password_hash FROM accounts.accounts WHERE login = \(normalised ?? "")"
            ).first.map { Stored(id: try $0.decode(String.self, at: 0), passwordHash: try $0.decode(String?.self, at: 1)) }
        } catch {
            throw AccountsError(.storage, "reading the account failed")
        }
        let passwordMatches = try await hasher.verify(password, against: stored?.passwordHash, client: certificate.serial)
        let token = try SessionToken.generate()
        let tokenDigest = try token.digest()
        let sessionID = try RandomText.identifier(prefix: "ses")
        let limits = self.limits
        let audit = self.audit
        let failures = self.failures
        let outcome: Outcome
        do {
            outcome = try await pool.withTransaction { connection throws -> Outcome in
                func refuse(_ reason: String, counting accountID: String? = nil) async throws -> Outcome {
                    if let accountID {
                        try await connection.execute(
                            """
                            UPDATE accounts.accounts SET
                                failed_attempts = CASE WHEN failed_attempts + 1 >= \(limits.maximumFailedAttempts) THEN 0
                                                       ELSE failed_attempts + 1 END,
                                locked_until = CASE WHEN failed_attempts + 1 >= \(limits.maximumFailedAttempts)
                                                    THEN clock_timestamp() + make_interval(secs => \(limits.lockDuration.seconds))
                                                    ELSE locked_until END
                            WHERE id = \(accountID)
                            """)
                    }
                    if let failures, !failures.admit(
                        actor: certificate.principal.uri, method: "password", reason: reason, certificate: certificate.auditIdentifier)
                    {
                        return .refused  // counted into this workstation's aggregated record
                    }
                    try await audit.append(
                        AuthFailed(
                            actor: certificate.principal.uri, method: "password", reason: reason, attemptedAccount: attempted,
                            certificate: certificate.auditIdentifier), on: connection)
                    return .refused
                }
                // The same statement whether the login exists or not: an unknown login locks a row
                // id no account has, and finds nothing.
                let rows = try await connection.query(
                    """
                    SELECT role, organisation, disabled, coalesce(locked_until > clock_timestamp(), false)
                    FROM accounts.accounts WHERE id = \(stored?.id ?? Self.absentAccountID) FOR UPDATE
                    """)
                guard let stored, let row = rows.first else { return try await refuse("unknown_account") }
                // Another organisation's workstation can never sign in to this account: refused
                // before anything is counted, so it cannot lock the account either.
                guard let organisation = OrganisationURI.parse(try row.decode(String.self, at: 1)),
                      certificate.principal.organisation == organisation
                else { return try await refuse("organisation_mismatch") }
                if try row.decode(Bool.self, at: 2) { return try await refuse("account_disabled") }
                if try row.decode(Bool.self, at: 3) { return try await refuse("locked") }
                if stored.passwordHash == nil { return try await refuse("not_activated") }
                guard passwordMatches else { return try await refuse("wrong_password", counting: stored.id) }
                try await connection.execute(
                    "UPDATE accounts.accounts SET failed_attempts = 0, locked_until = NULL WHERE id = \(stored.id)")
                let expiresAt = try await connection.query(
                    """
                    INSERT INTO accounts.sessions (id, token_hash, account_id, certificate_serial, principal, expires_at, idle_timeout)
                    VALUES (\(sessionID), \(tokenDigest), \(stored.id), \(certificate.serial), \(certificate.principal.uri),
                            clock_timestamp() + make_interval(secs => \(limits.absoluteLifetime.seconds)),
                            make_interval(secs => \(limits.idleTimeout.seconds)))
                    RETURNING expires_at
                    """).singleValue(Date.self)
                try await audit.append(
                    AuthSucceeded(
                        actor: "user:\(stored.id)", method: "password_and_certificate", session: sessionID,
                        certificate: certificate.auditIdentifier), on: connection)
                return .opened(OpenedSession(token: token, sessionID: sessionID, expiresAt: expiresAt))
            }
        } catch {
            throw AccountsAudit.map(error, "signing in")
        }
        switch outcome {
        case .opened(let session): return session
        case .refused: throw AccountsError(.loginFailed, "the login was refused")
        }
    }
}
