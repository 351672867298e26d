public import Foundation
public import Identity

/// A pupil's live session on the pupils' listener, resolved from a bearer token: who the pupil is
/// (account, vault token, school, region), never a name. The lead turns it into a door caller
/// (`DoorCaller(role: "pupil", account: accountID, session: sessionID, organisationKind: "school",
/// organisationID: school.id.value, region: region, pupil: pupil)`).
public struct PupilSession: Sendable, Hashable {
    /// `ses_…` (an audit token; never the bearer token).
    public let sessionID: String
    /// `usr_…`, the pupil's account.
    public let accountID: String
    /// The pupil's vault token (`sub_…`).
    public let pupil: String
    /// The pupil's school.
    public let school: Organisation
    /// The school's region (`77`).
    public let region: String
    /// When the session ends at the latest.
    public let expiresAt: Date

    /// The account as an audit actor: `user:usr_…`.
    public var actor: String { "user:\(accountID)" }
}
