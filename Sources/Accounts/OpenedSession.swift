public import Foundation

/// What a successful login hands the client: the bearer token (shown once, never stored) and when
/// the session ends at the latest.
public struct OpenedSession: Sendable, Hashable {
    /// The bearer token.
    public let token: SessionToken
    /// The session's id (an audit token, not a secret).
    public let sessionID: String
    /// The absolute end of the session.
    public let expiresAt: Date
}
