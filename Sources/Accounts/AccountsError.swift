/// Every failure of the accounts component, with a stable ``Code`` the gateway's problem documents
/// and the command line match on.
///
/// ``description`` is a fixed explanation written by bilet: never a login, a password, a token or
/// a raw server message. Refused logins and refused sessions carry one code each whatever the
/// cause, so an answer never tells whether a login exists; the audit record names the cause.
public struct AccountsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Raw values never change.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// An argument is malformed (a login, an organisation URI, a region, a password).
        case invalidArgument = "accounts.invalid_argument"
        /// The role is not a staff role.
        case unknownRole = "accounts.unknown_role"
        /// The role needs an organisation of another kind, or a region that is missing.
        case roleMismatch = "accounts.role_mismatch"
        /// Another account has this login.
        case loginTaken = "accounts.login_taken"
        /// No account has this login.
        case notFound = "accounts.not_found"
        /// A login was refused: unknown login, wrong password, disabled or locked account, or a
        /// certificate of another organisation (HTTP 401, one code for all).
        case loginFailed = "accounts.login_failed"
        /// A bearer token did not resolve to a live session bound to the presented certificate
        /// (HTTP 401, one code for all).
        case sessionRefused = "accounts.session_refused"
        /// Too many password checks are running and waiting; the attempt was not checked and
        /// counts for nothing (HTTP 503 with Retry-After).
        case busy = "accounts.busy"
        /// The audit record could not be written, so the action did not happen (HTTP 503).
        case auditUnavailable = "accounts.audit_unavailable"
        /// The database failed or cannot be reached (HTTP 503).
        case storage = "accounts.storage"
        /// Random generation, hashing or Argon2id failed.
        case crypto = "accounts.crypto"
        /// The policy schema does not declare the role, or declares attributes a staff session
        /// cannot supply.
        case schemaMismatch = "accounts.schema_mismatch"
        /// An activation was refused: unknown login, wrong, used or expired code, a workstation of
        /// another organisation, an account already active (one code for all).
        case activationFailed = "accounts.activation_failed"
        /// A new activation code was asked for an account that is already active.
        case alreadyActivated = "accounts.already_activated"
        /// The consent recorded is not the version in force.
        case consentVersionMismatch = "accounts.consent_version_mismatch"
        /// The caller may not do this (its role cannot grant the role, or the account is not of
        /// its organisation).
        case forbidden = "accounts.forbidden"
    }

    /// The stable code.
    public let code: Code
    /// A fixed explanation (no personal data, no secrets).
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
