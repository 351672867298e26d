public import Foundation

/// An activation code just issued for an account: shown once to the administrator who hands it
/// over, never stored in clear.
public struct IssuedActivationCode: Sendable, Hashable {
    /// The account (`usr_…` or `pac_…`).
    public let accountID: String
    public let code: ActivationCode
    /// When the code stops working.
    public let expiresAt: Date
}
