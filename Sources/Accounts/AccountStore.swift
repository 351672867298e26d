public import Audit
import Foundation
public import Identity
public import PostgreSQL

/// Creates, lists and disables staff accounts (`bilet accounts …`), connecting as the
/// administrator's `bilet_account_admin` (migration 0540), the only role that may create accounts
/// or change their password or disabled flag; the gateway's `bilet_accounts` is refused both.
/// Every change is audited (`account.changed`, and `session.ended` for the sessions a disabling
/// ends) in the same transaction as the change.
public struct AccountStore: Sendable {
    private let pool: PostgresConnectionPool
    private let hasher: PasswordHasher
    private let audit: AccountsAudit

    /// A store on `pool` (role `bilet_account_admin`) hashing new passwords with `hasher`.
    public init(pool: PostgresConnectionPool, hasher: PasswordHasher, log: AuditLog = AuditLog()) {
        self.pool = pool
        self.hasher = hasher
        self.audit = AccountsAudit(log: log)
    }

    /// The login as stored: trimmed and lowercased; nil unless it is 1–128 characters of
    /// `a-z 0-9 . _ @ -` starting with a letter or digit.
    public static func normalisedLogin(_ login: String) -> String? {
        let lowered = login.lowercased()
        let bytes = Array(lowered.utf8)
        guard (1...128).contains(bytes.count), let first = bytes.first,
              (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
              bytes.allSatisfy({ byte in
                  (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                      || Array("._@-".utf8).contains(byte)
              })
        else { return nil }
        return lowered
    }

    /// Checks a new account's role, organisation and region against each other.
    ///
    /// - Throws: ``AccountsError/Code/unknownRole`` for a role that is not a staff role,
    ///   ``AccountsError/Code/invalidArgument`` for a malformed organisation URI or region,
    ///   ``AccountsError/Code/roleMismatch`` for an organisation of the wrong kind or a missing region.
    public static func validate(role: String, organisation: String, region: String?) throws(AccountsError)
        -> (StaffRole, Organisation, String?)
    {
        guard let staffRole = StaffRole(rawValue: role) else {
            throw AccountsError(.unknownRole, "the role is not a staff role (\(StaffRole.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let parsed = OrganisationURI.parse(organisation) else {
            throw AccountsError(.invalidArgument, "the organisation is not a bilet://school|venue|region|operator/<id> URI")
        }
        if let kind = staffRole.organisationKind, parsed.kind != kind {
            throw AccountsError(.roleMismatch, "role \(staffRole.rawValue) belongs to an organisation of kind \(kind.rawValue)")
        }
        if let region, OrganisationID(region) == nil {
            throw AccountsError(.invalidArgument, "the region is not a region code such as 77")
        }
        if staffRole.needsRegion && region == nil {
            throw AccountsError(.roleMismatch, "role \(staffRole.rawValue) needs a region")
        }
        return (staffRole, parsed, region)
    }

    /// Creates an account; `actor` (an identifier such as `cli:local`) is recorded as who did it.
    ///
    /// - Throws: the ``validate(role:organisation:region:)`` errors,
    ///   ``AccountsError/Code/invalidArgument`` for a malformed login or password,
    ///   ``AccountsError/Code/loginTaken``, ``AccountsError/Code/auditUnavailable``,
    ///   ``AccountsError/Code/storage``.
    public func add(
        login: String, role: String, organisation: String, region: String?, password: String, actor: String
    ) async throws(AccountsError) -> Account {
        let (staffRole, parsed, region) = try Self.validate(role: role, organisation: organisation, region: region)
        guard let login = Self.normalisedLogin(login) else {
            throw AccountsError(.invalidArgument, "a login has 1 to 128 characters a-z 0-9 . _ @ - and starts with a letter or digit")
        }
        let hash = try await hasher.hash(password)
        let id = try RandomText.identifier(prefix: "usr")
        let audit = self.audit
        do {
            return try await pool.withTransaction { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO accounts.accounts (id, login, role, organisation, region, password_hash)
                    VALUES (\(id), \(login), \(staffRole.rawValue), \(OrganisationURI.string(parsed)), \(region), \(hash))
                    ON CONFLICT (login) DO NOTHING
                    RETURNING id, login, role, organisation, region, disabled, failed_attempts, locked_until, created_at
                    """)
                guard let row = rows.first else { throw AccountsError(.loginTaken, "another account has this login") }
                let account = try Self.account(row)
                try await audit.append(
                    AccountChanged(actor: actor, account: account.actor, change: .created, role: staffRole.rawValue), on: connection)
                return account
            }
        } catch {
            throw AccountsAudit.map(error, "creating the account")
        }
    }

    /// Every account, by login.
    ///
    /// - Throws: ``AccountsError/Code/storage``.
    public func list() async throws(AccountsError) -> [Account] {
        do {
            return try await pool.query("SELECT id, login, role, organisation, region, disabled, failed_attempts, locked_until, created_at FROM accounts.accounts ORDER BY login").map(Self.account)
        } catch {
            throw AccountsAudit.map(error, "listing the accounts")
        }
    }

    /// Disables the account with `login` and ends its live sessions (`account-disabled`).
    ///
    /// - Throws: ``AccountsError/Code/notFound``, ``AccountsError/Code/auditUnavailable``,
    ///   ``AccountsError/Code/storage``.
    @discardableResult
    public func disable(login: String, actor: String) async throws(AccountsError) -> Account {
        guard let login = Self.normalisedLogin(login) else { throw AccountsError(.notFound, "no account has this login") }
        let audit = self.audit
        do {
            return try await pool.withTransaction { connection in
                let rows = try await connection.query(
                    "UPDATE accounts.accounts SET disabled = true WHERE login = \(login) RETURNING id, login, role, organisation, region, disabled, failed_attempts, locked_until, created_at")
                guard let row = rows.first else { throw AccountsError(.notFound, "no account has this login") }
                let account = try Self.account(row)
                try await audit.append(
                    AccountChanged(actor: actor, account: account.actor, change: .disabled, role: account.role.rawValue), on: connection)
                let ended = try await connection.query(
                    """
                    UPDATE accounts.sessions SET ended_at = clock_timestamp(), end_reason = 'account-disabled'
                    WHERE account_id = \(account.id) AND ended_at IS NULL
                    RETURNING id, certificate_serial
                    """)
                try await StaffSessions.recordEnded(ended, reason: .accountDisabled, actor: actor, audit: audit, on: connection)
                return account
            }
        } catch {
            throw AccountsAudit.map(error, "disabling the account")
        }
    }

    /// Decodes a row of `id, login, role, organisation, region, disabled, failed_attempts,
    /// locked_until, created_at`.
    static func account(_ row: Row) throws -> Account {
        guard let role = StaffRole(rawValue: try row.decode(String.self, at: 2)),
              let organisation = OrganisationURI.parse(try row.decode(String.self, at: 3))
        else { throw AccountsError(.storage, "a stored account does not match the schema") }
        return Account(
            id: try row.decode(String.self, at: 0), login: try row.decode(String.self, at: 1), role: role,
            organisation: organisation, region: try row.decode(String?.self, at: 4), disabled: try row.decode(Bool.self, at: 5),
            failedAttempts: try row.decode(Int.self, at: 6), lockedUntil: try row.decode(Date?.self, at: 7),
            createdAt: try row.decode(Date.self, at: 8))
    }
}
