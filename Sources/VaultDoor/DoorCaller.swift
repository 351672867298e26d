/// Who a door request is made for: a person signed in at the gateway, as the gateway verified
/// them (a staff session bound to a workstation certificate, or a pupil's session on the pupils'
/// listener).
///
/// The gateway builds it only from a verified session (``VaultDoor`` callers cannot make one from
/// request input), and the vault turns it into its policy requester; the vault trusts it because
/// only processes of the users in `vault.door_users` reach the door (peer credentials). It carries
/// identifiers, never a name.
public struct DoorCaller: Codable, Sendable, Hashable {
    /// The policy role (`school`, `regional_coordinator`, `pupil`, …).
    public var role: String
    /// The account id (`usr_…`); the audit actor is `user:<account>`.
    public var account: String
    /// The session id (`ses_…`), for the audit trail; never the bearer token.
    public var session: String
    /// The account's organisation as kind and id (`school`, `77-1234`); `nil` for roles without one.
    public var organisationKind: String?
    public var organisationID: String?
    /// The account's region code (`77`), for roles that carry one.
    public var region: String?
    /// For a pupil's own session: the pupil's vault token.
    public var pupil: String?
    /// The serial (hex) of the workstation certificate the session is bound to; `nil` for pupils.
    public var certificateSerial: String?

    public init(
        role: String, account: String, session: String, organisationKind: String? = nil, organisationID: String? = nil,
        region: String? = nil, pupil: String? = nil, certificateSerial: String? = nil
    ) {
        self.role = role
        self.account = account
        self.session = session
        self.organisationKind = organisationKind
        self.organisationID = organisationID
        self.region = region
        self.pupil = pupil
        self.certificateSerial = certificateSerial
    }
}
