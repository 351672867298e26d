public import Audit
import Foundation
public import Identity
public import PostgreSQL

/// Staff accounts administered over HTTP, on the gateway's `bilet_accounts` through the
/// functions of migration 0621 (it may create and disable only organisation staff roles, and set a
/// password only on a pending account with its live activation code).
///
/// A new account is pending: it has no password, only a one-time ``ActivationCode`` (random,
/// stored as a SHA-256 hash, expiring, single use) that its holder uses, at a workstation of the
/// account's organisation, to set their own password (Argon2id). Every change is audited
/// (`account.changed`) in the transaction that makes it. Whether the caller may act (its role, its
/// organisation, its region) is decided before, by the routes with the policy engine.
public struct StaffAdministration: Sendable {
    private let pool: PostgresConnectionPool
    private let hasher: PasswordHasher
    private let audit: AccountsAudit
    /// How long an activation code works.
    public let activationLifetime: Duration

    /// Administration on `pool` (role `bilet_accounts`), hashing passwords with `hasher`.
    public init(
        pool: PostgresConnectionPool, hasher: PasswordHasher, log: AuditLog = AuditLog(),
        activationLifetime: Duration = .seconds(72 * 3600)
    ) {
        self.pool = pool
        self.hasher = hasher
        self.audit = AccountsAudit(log: log)
        self.activationLifetime = activationLifetime
    }

    /// Creates a pending account and its first activation code; `actor` (`user:usr_…`) did it.
    ///
    /// - Throws: ``AccountsError/Code/invalidArgument``, ``AccountsError/Code/roleMismatch``,
    ///   ``AccountsError/Code/loginTaken``, ``AccountsError/Code/auditUnavailable``,
    ///   ``AccountsError/Code/storage``, ``AccountsError/Code/crypto``.
    public func create(
        login: String, role: StaffRole, organisation: Organisation, region: String?, actor: String
    ) async throws(AccountsError) -> IssuedActivationCode {
        let (_, _, region) = try AccountStore.validate(role: role.rawValue, organisation: OrganisationURI.string(organisation), region: region)
        guard let login = AccountStore.normalisedLogin(login) else {
            throw AccountsError(.invalidArgument, "a login has 1 to 128 characters a-z 0-9 . _ @ - and starts with a letter or digit")
        }
        let id = try RandomText.identifier(prefix: "usr")
        let code = try ActivationCode.generate()
        let digest = try code.digest()
        let audit = self.audit
        let lifetime = activationLifetime.seconds
        do {
            return try await pool.withTransaction { connection in
                let created = try await connection.query(
                    """
                    SELECT accounts.create_pending_account(\(id), \(login), \(role.rawValue), \(OrganisationURI.string(organisation)), \(region))
                    """).singleValue(Bool.self)
                guard created else { throw AccountsError(.loginTaken, "another account has this login") }
                let expires = try await connection.query(
                    "SELECT accounts.issue_activation_code(\(id), \(digest), \(lifetime))").singleValue(Date?.self)
                guard let expires else { throw AccountsError(.storage, "the activation code could not be issued") }
                try await audit.append(AccountChanged(actor: actor, account: "user:\(id)", change: .created, role: role.rawValue), on: connection)
                try await audit.append(
                    AccountChanged(actor: actor, account: "user:\(id)", change: .activationIssued, role: role.rawValue), on: connection)
                return IssuedActivationCode(accountID: id, code: code, expiresAt: expires)
            }
        } catch {
            throw AccountsAudit.map(error, "creating the account")
        }
    }

    /// A new activation code for a pending account; the earlier one stops working.
    ///
    /// - Throws: ``AccountsError/Code/alreadyActivated`` for an account that has a password,
    ///   ``AccountsError/Code/auditUnavailable``, ``AccountsError/Code/storage``.
    public func reissue(_ account: StaffAccountStatus, actor: String) async throws(AccountsError) -> IssuedActivationCode {
        let code = try ActivationCode.generate()
        let digest = try code.digest()
        let audit = self.audit
        let lifetime = activationLifetime.seconds
        do {
            return try await pool.withTransaction { connection in
                let expires = try await connection.query(
                    "SELECT accounts.issue_activation_code(\(account.id), \(digest), \(lifetime))").singleValue(Date?.self)
                guard let expires else { throw AccountsError(.alreadyActivated, "the account is not pending activation") }
                try await audit.append(
                    AccountChanged(actor: actor, account: account.actor, change: .activationIssued, role: account.role.rawValue),
                    on: connection)
                return IssuedActivationCode(accountID: account.id, code: code, expiresAt: expires)
            }
        } catch {
            throw AccountsAudit.map(error, "issuing the activation code")
        }
    }

    /// Disables (`disabled` true; its live sessions end, `account-disabled`) or re-enables an account.
    ///
    /// - Throws: ``AccountsError/Code/notFound`` for an account these functions may not change,
    ///   ``AccountsError/Code/auditUnavailable``, ``AccountsError/Code/storage``.
    public func setDisabled(_ account: StaffAccountStatus, _ disabled: Bool, actor: String) async throws(AccountsError) {
        let audit = self.audit
        do {
            try await pool.withTransaction { connection in
                let changed = try await connection.query(
                    "SELECT accounts.set_account_disabled(\(account.id), \(disabled))").singleValue(Bool.self)
                guard changed else { throw AccountsError(.notFound, "no account these routes may change has this id") }
                try await audit.append(
                    AccountChanged(actor: actor, account: account.actor, change: disabled ? .disabled : .enabled, role: account.role.rawValue),
                    on: connection)
                guard disabled else { return }
                let ended = try await connection.query(
                    """
                    UPDATE accounts.sessions SET ended_at = clock_timestamp(), end_reason = 'account-disabled'
                    WHERE account_id = \(account.id) AND ended_at IS NULL
                    RETURNING id, certificate_serial
                    """)
                try await StaffSessions.recordEnded(ended, reason: .accountDisabled, actor: actor, audit: audit, on: connection)
            }
        } catch {
            throw AccountsAudit.map(error, "changing the account")
        }
    }

    /// Activates the pending account `login` with `code`, setting its holder's own `password`, on a
    /// connection that presented `certificate` (a workstation of the account's organisation).
    ///
    /// Every refusal (unknown login, wrong, used or expired code, another organisation's
    /// workstation, an account already active) throws ``AccountsError/Code/activationFailed`` and
    /// is audited (`auth.failed`, method `activation`); each costs one Argon2id hash.
    ///
    /// - Throws: ``AccountsError/Code/activationFailed``, ``AccountsError/Code/invalidArgument``
    ///   for a password too short or too long, ``AccountsError/Code/busy``,
    ///   ``AccountsError/Code/auditUnavailable``, ``AccountsError/Code/storage``.
    public func activate(login: String, code text: String, password: String, certificate: PresentedCertificate) async throws(AccountsError) {
        let code = ActivationCode(text) ?? .absent
        let digest = try code.digest()
        let hash = try await hasher.hash(password)
        guard let organisation = certificate.principal.organisation else {
            throw AccountsError(.activationFailed, "the activation was refused")
        }
        let normalised = AccountStore.normalisedLogin(login) ?? ""
        let audit = self.audit
        let activated: Bool
        do {
            activated = try await pool.withTransaction { connection in
                let account = try await connection.query(
                    """
                    SELECT accounts.activate_account(\(normalised), \(digest), \(OrganisationURI.string(organisation)), \(hash))
                    """).singleValue(String?.self)
                guard let account else {
                    try await audit.append(
                        AuthFailed(
                            actor: certificate.principal.uri, method: "activation", reason: "activation_refused",
                            certificate: certificate.auditIdentifier), on: connection)
                    return false
                }
                try await audit.append(AccountChanged(actor: "user:\(account)", account: "user:\(account)", change: .activated, role: nil), on: connection)
                return true
            }
        } catch {
            throw AccountsAudit.map(error, "activating the account")
        }
        guard activated else { throw AccountsError(.activationFailed, "the activation was refused") }
    }

    /// Records `session`'s holder's consent to the processing of their own personal data, in
    /// `version` (which must be ``StaffConsent/currentVersion``). Recording it again does nothing.
    ///
    /// - Throws: ``AccountsError/Code/consentVersionMismatch``, ``AccountsError/Code/auditUnavailable``,
    ///   ``AccountsError/Code/storage``.
    public func recordConsent(_ session: StaffSession, version: String) async throws(AccountsError) {
        guard version == StaffConsent.currentVersion else {
            throw AccountsError(.consentVersionMismatch, "the consent is not the version in force")
        }
        let audit = self.audit
        do {
            try await pool.withTransaction { connection in
                let inserted = try await connection.query(
                    """
                    INSERT INTO accounts.staff_consents (account_id, version) VALUES (\(session.accountID), \(version))
                    ON CONFLICT DO NOTHING RETURNING account_id
                    """)
                guard !inserted.isEmpty else { return }
                try await audit.append(StaffConsentRecorded(account: session.actor, version: version), on: connection)
            }
        } catch {
            throw AccountsAudit.map(error, "recording the consent")
        }
    }

    /// Records a refusal the routes answer (`policy.decided`, decision `deny`), in a transaction
    /// of its own.
    ///
    /// - Throws: ``AccountsError/Code/auditUnavailable``.
    public func recordDenial(_ denial: PolicyDecided) async throws(AccountsError) {
        try await audit.append(denial, using: pool)
    }

    /// The account with `id`, if any.
    ///
    /// - Throws: ``AccountsError/Code/storage``.
    public func account(id: String) async throws(AccountsError) -> StaffAccountStatus? {
        do {
            return try await pool.query(
                """
                SELECT a.id, a.login, a.role, a.organisation, a.region, a.disabled, a.password_hash IS NULL,
                       EXISTS (SELECT FROM accounts.staff_consents c WHERE c.account_id = a.id AND c.version = \(StaffConsent.currentVersion))
                FROM accounts.accounts a WHERE a.id = \(id)
                """
            ).first.map(Self.status)
        } catch {
            throw AccountsAudit.map(error, "reading the account")
        }
    }

    /// Whether `account` is a live (not disabled) mentor account of the venue `venue` (its
    /// organisation id); `false` for an unknown account.
    ///
    /// - Throws: ``AccountsError/Code/storage``: a database failure is not an answer of `false`.
    public func isLiveMentor(_ account: String, ofVenue venue: String) async throws(AccountsError) -> Bool {
        guard let status = try await self.account(id: account) else { return false }
        return status.role == .mentor && status.organisation.kind == .venue && status.organisation.id.value == venue
            && status.status != .disabled
    }

    /// The accounts of `organisation`, by login.
    ///
    /// - Throws: ``AccountsError/Code/storage``.
    public func list(organisation: Organisation) async throws(AccountsError) -> [StaffAccountStatus] {
        do {
            return try await pool.query(
                """
                SELECT a.id, a.login, a.role, a.organisation, a.region, a.disabled, a.password_hash IS NULL,
                       EXISTS (SELECT FROM accounts.staff_consents c WHERE c.account_id = a.id AND c.version = \(StaffConsent.currentVersion))
                FROM accounts.accounts a WHERE a.organisation = \(OrganisationURI.string(organisation)) ORDER BY a.login LIMIT 10000
                """
            ).map(Self.status)
        } catch {
            throw AccountsAudit.map(error, "listing the accounts")
        }
    }

    static func status(_ row: Row) throws -> StaffAccountStatus {
        guard let role = StaffRole(rawValue: try row.decode(String.self, at: 2)),
              let organisation = OrganisationURI.parse(try row.decode(String.self, at: 3))
        else { throw AccountsError(.storage, "a stored account does not match the schema") }
        let status: StaffAccountStatus.Status =
            try row.decode(Bool.self, at: 5) ? .disabled : (try row.decode(Bool.self, at: 6) ? .pending : .active)
        return StaffAccountStatus(
            id: try row.decode(String.self, at: 0), login: try row.decode(String.self, at: 1), role: role, organisation: organisation,
            region: try row.decode(String?.self, at: 4), status: status, consentRecorded: try row.decode(Bool.self, at: 7))
    }
}
