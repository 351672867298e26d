public import Foundation
public import Identity

/// A staff account as stored: a random id (what policy and audit see), the login typed at sign-in,
/// the role, the organisation whose workstations it signs in on, the region, and its state.
/// The password hash never leaves ``AccountStore``.
public struct Account: Sendable, Hashable {
    /// `usr_` and 22 random characters.
    public let id: String
    /// The login, lowercase.
    public let login: String
    public let role: StaffRole
    public let organisation: Organisation
    /// The region code (`77`), for the roles that carry one.
    public let region: String?
    public let disabled: Bool
    /// Consecutive failed logins since the last success or lock.
    public let failedAttempts: Int
    /// Locked until then, if locked at some point.
    public let lockedUntil: Date?
    public let createdAt: Date

    /// The account as an audit actor: `user:usr_…`.
    public var actor: String { "user:\(id)" }
}
