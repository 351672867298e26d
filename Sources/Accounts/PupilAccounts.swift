public import Audit
import Foundation
public import Identity
public import PostgreSQL

/// Pupils' own accounts (migration 0622), on the gateway's `bilet_accounts`.
///
/// - The school side (after the vault door confirmed the pupil is the school's):
///   ``issueActivationCode(pupil:school:region:actor:)`` creates the pupil's pending account bound
///   to their vault token, school and region, and returns a one-time ``ActivationCode`` (stored as a
///   SHA-256 hash, expiring, single use; a new one replaces the old).
/// - The pupils' listener (no client certificate): ``activate(code:login:password:)`` lets the
///   pupil choose a login and set their password (Argon2id); ``login(_:password:address:)`` opens
///   a session; ``resolve(token:)`` turns a bearer token into a ``PupilSession``;
///   ``logout(_:)`` ends it.
///
/// Sign-in refusals all throw ``AccountsError/Code/loginFailed`` and cost the same work: one
/// Argon2id verification (against a dummy hash for an unknown login, a pending account, or an
/// attempt the ``PupilThrottle`` holds back) and the same statements. Failures grow the delays of
/// the typed login and of the client address alike. Every attempt is audited (`auth.failed` /
/// `auth.succeeded`, method `pupil_password`, the typed login only as a keyed hash).
public struct PupilAccounts: Sendable {
    private let pool: PostgresConnectionPool
    private let hasher: PasswordHasher
    private let attemptedAccountHash: @Sendable (_ login: String) async -> String?
    private let throttle: PupilThrottle
    private let limits: SessionLimits
    private let audit: AccountsAudit
    private let failures: AuthFailureAggregator?
    /// How long an activation code works.
    public let activationLifetime: Duration

    /// The audit actor of refusals on the pupils' listener (no certificate names the client).
    public static let listenerActor = "gateway:pupils"

    /// Pupils' accounts on `pool` (role `bilet_accounts`). `attemptedAccountHash` gives the audit's
    /// keyed hash of a typed login (`nil`: the vault is sealed, and sign-ins are refused as
    /// ``AccountsError/Code/auditUnavailable``).
    public init(
        pool: PostgresConnectionPool, hasher: PasswordHasher, attemptedAccountHash: @escaping @Sendable (_ login: String) async -> String?,
        throttle: PupilThrottle = PupilThrottle(), limits: SessionLimits = SessionLimits(),
        activationLifetime: Duration = .seconds(14 * 24 * 3600), log: AuditLog = AuditLog(), failures: AuthFailureAggregator? = nil
    ) {
        self.pool = pool
        self.hasher = hasher
        self.attemptedAccountHash = attemptedAccountHash
        self.throttle = throttle
        self.limits = limits
        self.activationLifetime = activationLifetime
        self.audit = AccountsAudit(log: log)
        self.failures = failures
    }

    /// Issues a one-time activation code for the pupil with vault token `pupil` of `school` in
    /// `region`, creating their pending account on first issue; `actor` is the school's staff
    /// member (`user:usr_…`). Call it only after the vault door has confirmed the pupil is the
    /// school's.
    ///
    /// - Throws: ``AccountsError/Code/invalidArgument`` for a malformed token, school or region,
    ///   ``AccountsError/Code/alreadyActivated`` when the pupil's account is active,
    ///   ``AccountsError/Code/forbidden`` when the pending account belongs to another school,
    ///   ``AccountsError/Code/auditUnavailable``, ``AccountsError/Code/storage``.
    public func issueActivationCode(pupil: String, school: Organisation, region: String, actor: String) async throws(AccountsError)
        -> IssuedActivationCode
    {
        guard school.kind == .school, OrganisationID(region) != nil, AuditFieldKind.token.accepts(.string(pupil)) else {
            throw AccountsError(.invalidArgument, "the pupil token, school or region is malformed")
        }
        let code = try ActivationCode.generate()
        let digest = try code.digest()
        let newID = try RandomText.identifier(prefix: "usr")
        let schoolURI = OrganisationURI.string(school)
        let lifetime = activationLifetime.seconds
        let audit = self.audit
        do {
            return try await pool.withTransaction { connection in
                try await connection.execute(
                    "INSERT INTO accounts.pupil_accounts (id, pupil, school, region) VALUES (\(newID), \(pupil), \(schoolURI), \(region)) ON CONFLICT (pupil) DO NOTHING")
                let rows = try await connection.query(
                    "SELECT id, school, password_hash IS NOT NULL FROM accounts.pupil_accounts WHERE pupil = \(pupil)")
                guard let row = rows.first else { throw AccountsError(.storage, "the pupil account could not be read") }
                let id = try row.decode(String.self, at: 0)
                guard try row.decode(String.self, at: 1) == schoolURI else {
                    throw AccountsError(.forbidden, "the pupil's account belongs to another school")
                }
                guard !(try row.decode(Bool.self, at: 2)) else { throw AccountsError(.alreadyActivated, "the pupil's account is active") }
                let expires = try await connection.query(
                    """
                    INSERT INTO accounts.pupil_activation_codes (account_id, code_hash, expires_at)
                    VALUES (\(id), \(digest), clock_timestamp() + make_interval(secs => \(lifetime)))
                    ON CONFLICT (account_id) DO UPDATE
                        SET code_hash = \(digest), issued_at = clock_timestamp(),
                            expires_at = clock_timestamp() + make_interval(secs => \(lifetime)), used_at = NULL
                    RETURNING expires_at
                    """).singleValue(Date.self)
                if id == newID {
                    try await audit.append(AccountChanged(actor: actor, account: "user:\(id)", change: .created, role: "pupil"), on: connection)
                }
                try await audit.append(
                    AccountChanged(actor: actor, account: "user:\(id)", change: .activationIssued, role: "pupil"), on: connection)
                return IssuedActivationCode(accountID: id, code: code, expiresAt: expires)
            }
        } catch {
            throw AccountsAudit.map(error, "issuing the pupil's activation code")
        }
    }

    /// Activates the pending account whose live code is `code`: the pupil's chosen `login` and
    /// `password`; `address` is the client's (as the listener saw it), whose share of the password
    /// hasher the new password's hash takes (``PasswordHasher/hash(_:client:)``).
    ///
    /// - Throws: ``AccountsError/Code/activationFailed`` for every refused code (unknown, used,
    ///   expired, account active or disabled), ``AccountsError/Code/loginTaken`` (only to the
    ///   holder of a live code), ``AccountsError/Code/invalidArgument`` for a malformed login or a
    ///   password too short or too long, ``AccountsError/Code/busy``,
    ///   ``AccountsError/Code/auditUnavailable``, ``AccountsError/Code/storage``.
    public func activate(code text: String, login: String, password: String, address: String? = nil) async throws(AccountsError) {
        guard let login = AccountStore.normalisedLogin(login) else {
            throw AccountsError(.invalidArgument, "a login has 1 to 128 characters a-z 0-9 . _ @ - and starts with a letter or digit")
        }
        let digest = try (ActivationCode(text) ?? .absent).digest()
        // The same share as the address's sign-ins; without an address, one share for all of them.
        let hash = try await hasher.hash(password, client: address ?? Self.listenerActor)
        let audit = self.audit
        let failures = self.failures
        let outcome: String?
        do {
            outcome = try await pool.withTransaction { connection in
                let result = try await connection.query(
                    "SELECT accounts.activate_pupil_account(\(digest), \(login), \(hash))").singleValue(String?.self)
                if let account = result, account != "login-taken" {
                    try await audit.append(
                        AccountChanged(actor: "user:\(account)", account: "user:\(account)", change: .activated, role: "pupil"), on: connection)
                } else {
                    // Anyone on the internet can send codes to the pupils' listener: refusals beyond
                    // the threshold are counted into the window's aggregate, not one record each.
                    let reason = result == nil ? "activation_refused" : "login_taken"
                    if failures?.admit(actor: Self.listenerActor, method: "pupil_activation", reason: reason, certificate: nil) ?? true {
                        try await audit.append(AuthFailed(actor: Self.listenerActor, method: "pupil_activation", reason: reason), on: connection)
                    }
                }
                return result
            }
        } catch {
            throw AccountsAudit.map(error, "activating the pupil's account")
        }
        guard let outcome else { throw AccountsError(.activationFailed, "the activation was refused") }
        if outcome == "login-taken" { throw AccountsError(.loginTaken, "another account has this login") }
    }

    private struct Stored {
        let id: String
        let passwordHash: String?
    }

    private enum Outcome {
        case opened(OpenedSession)
        case refused(counted: Bool)
    }

    /// Signs a pupil in from client `address` (as the listener saw it; `nil` when unknown).
    ///
    /// - Throws: ``AccountsError/Code/loginFailed`` for every refusal (same answer, same work),
    ///   ``AccountsError/Code/busy``, ``AccountsError/Code/auditUnavailable``,
    ///   ``AccountsError/Code/storage``, ``AccountsError/Code/crypto``.
    public func login(_ login: String, password: String, address: String?) async throws(AccountsError) -> OpenedSession {
        let normalised = AccountStore.normalisedLogin(login)
        let held = throttle.isBlocked(login: login, address: address)
        guard let attempted = await attemptedAccountHash(normalised ?? login) else {
            throw AccountsError(.auditUnavailable, "the typed login cannot be hashed for the audit log (vault sealed or unreachable)")
        }
        let stored: Stored?
        do {
            stored = try await pool.query(
                "SELECT id, password_hash FROM accounts.pupil_accounts WHERE login = \(normalised ?? "") AND NOT disabled"
            ).first.map { Stored(id: try $0.decode(String.self, at: 0), passwordHash: try $0.decode(String?.self, at: 1)) }
        } catch {
            throw AccountsError(.storage, "reading the account failed")
        }
        // One Argon2id check whatever happens: a held-back attempt or an unknown login checks the dummy hash.
        let matches = try await hasher.verify(password, against: held ? nil : stored?.passwordHash, client: address)
        let token = try SessionToken.generate()
        let tokenDigest = try token.digest()
        let sessionID = try RandomText.identifier(prefix: "ses")
        let limits = self.limits
        let audit = self.audit
        let failures = self.failures
        let outcome: Outcome
        do {
            outcome = try await pool.withTransaction { connection throws -> Outcome in
                func refuse(_ reason: String, counted: Bool = true) async throws -> Outcome {
                    if let failures, !failures.admit(actor: Self.listenerActor, method: "pupil_password", reason: reason, certificate: nil) {
                        return .refused(counted: counted)
                    }
                    try await audit.append(
                        AuthFailed(actor: Self.listenerActor, method: "pupil_password", reason: reason, attemptedAccount: attempted),
                        on: connection)
                    return .refused(counted: counted)
                }
                let rows = try await connection.query(
                    "SELECT school FROM accounts.pupil_accounts WHERE id = \(stored?.id ?? StaffLogin.absentAccountID) AND NOT disabled")
                if held { return try await refuse("throttled", counted: false) }
                guard let stored, !rows.isEmpty else { return try await refuse("unknown_account") }
                guard matches else { return try await refuse(stored.passwordHash == nil ? "not_activated" : "wrong_password") }
                let expiresAt = try await connection.query(
                    """
                    INSERT INTO accounts.pupil_sessions (id, token_hash, account_id, expires_at, idle_timeout)
                    VALUES (\(sessionID), \(tokenDigest), \(stored.id),
                            clock_timestamp() + make_interval(secs => \(limits.absoluteLifetime.seconds)),
                            make_interval(secs => \(limits.idleTimeout.seconds)))
                    RETURNING expires_at
                    """).singleValue(Date.self)
                try await audit.append(
                    AuthSucceeded(actor: "user:\(stored.id)", method: "pupil_password", session: sessionID, certificate: nil), on: connection)
                return .opened(OpenedSession(token: token, sessionID: sessionID, expiresAt: expiresAt))
            }
        } catch {
            throw AccountsAudit.map(error, "signing the pupil in")
        }
        switch outcome {
        case .opened(let session):
            throttle.recordSuccess(login: login)
            return session
        case .refused(let counted):
            if counted { throttle.recordFailure(login: login, address: address) }
            throw AccountsError(.loginFailed, "the login was refused")
        }
    }

    /// The live pupil session of bearer token `text`.
    ///
    /// - Throws: ``AccountsError/Code/sessionRefused`` (one code for every cause, audited as
    ///   `auth.failed` method `pupil_session`), ``AccountsError/Code/auditUnavailable``,
    ///   ``AccountsError/Code/storage``.
    public func resolve(token text: String) async throws(AccountsError) -> PupilSession {
        let refused = AccountsError(.sessionRefused, "the session was refused")
        let failures = self.failures
        let audit = self.audit
        func refuse(_ reason: String) async throws(AccountsError) -> Never {
            if failures?.admit(actor: Self.listenerActor, method: "pupil_session", reason: reason, certificate: nil) ?? true {
                try await audit.append(AuthFailed(actor: Self.listenerActor, method: "pupil_session", reason: reason), using: pool)
            }
            throw refused
        }
        guard let token = SessionToken(text) else { try await refuse("malformed_token") }
        let digest = try token.digest()
        let resolution = SessionLimits.lastSeenResolution.seconds
        let row: Row?
        do {
            // As for staff sessions: read without a lock, `last_seen` written only when older than
            // ``SessionLimits/lastSeenResolution`` (or a tenth of the idle timeout).
            row = try await pool.query(
                """
                WITH live AS (
                    SELECT s.id, a.id AS account, a.pupil, a.school, a.region, s.expires_at, s.last_seen, s.idle_timeout
                    FROM accounts.pupil_sessions s JOIN accounts.pupil_accounts a ON a.id = s.account_id
                    WHERE s.token_hash = \(digest) AND NOT a.disabled AND s.ended_at IS NULL
                      AND s.expires_at > clock_timestamp() AND s.last_seen + s.idle_timeout > clock_timestamp()
                ), touched AS (
                    UPDATE accounts.pupil_sessions s SET last_seen = clock_timestamp() FROM live
                    WHERE s.id = live.id AND s.ended_at IS NULL
                      AND live.last_seen < clock_timestamp() - LEAST(make_interval(secs => \(resolution)), live.idle_timeout / 10)
                )
                SELECT id, account, pupil, school, region, expires_at FROM live
                """).first
        } catch {
            throw AccountsError(.storage, "resolving the session failed")
        }
        guard let row else { try await refuse("session_refused") }
        do {
            guard let school = OrganisationURI.parse(try row.decode(String.self, at: 3)) else {
                throw AccountsError(.storage, "a stored pupil account does not match the schema")
            }
            return PupilSession(
                sessionID: try row.decode(String.self, at: 0), accountID: try row.decode(String.self, at: 1),
                pupil: try row.decode(String.self, at: 2), school: school, region: try row.decode(String.self, at: 4),
                expiresAt: try row.decode(Date.self, at: 5))
        } catch {
            throw AccountsAudit.map(error, "resolving the session")
        }
    }

    /// Ends `session` (`session.ended`, reason `logout`).
    ///
    /// - Throws: ``AccountsError/Code/auditUnavailable``, ``AccountsError/Code/storage``.
    public func logout(_ session: PupilSession) async throws(AccountsError) {
        let audit = self.audit
        do {
            try await pool.withTransaction { connection in
                let ended = try await connection.query(
                    """
                    UPDATE accounts.pupil_sessions SET ended_at = clock_timestamp(), end_reason = 'logout'
                    WHERE id = \(session.sessionID) AND ended_at IS NULL RETURNING id
                    """)
                for row in ended {
                    try await audit.append(
                        SessionEnded(actor: session.actor, session: try row.decode(String.self, at: 0), reason: "logout", certificate: nil),
                        on: connection)
                }
            }
        } catch {
            throw AccountsAudit.map(error, "signing the pupil out")
        }
    }
}
