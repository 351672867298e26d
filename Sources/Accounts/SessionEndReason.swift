/// Why a session ended, as `accounts.sessions.end_reason` records it.
public enum SessionEndReason: String, Sendable, Hashable, CaseIterable {
    /// The user signed out.
    case logout
    /// The absolute lifetime (8 hours) ran out.
    case expired
    /// No request for the idle timeout (30 minutes).
    case idleTimeout = "idle-timeout"
    /// The workstation certificate the session was bound to was revoked.
    case certificateRevoked = "certificate-revoked"
    /// An administrator disabled the account.
    case accountDisabled = "account-disabled"
}
