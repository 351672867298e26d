public import Accounts
public import VaultDoor

extension DoorCalls {
    /// The door caller of a verified pupil session: role `pupil`, the pupil's account, session,
    /// vault token, school and region (what the pupil's API routes and pages call the door as).
    public static func caller(forPupil session: PupilSession) -> DoorCaller {
        DoorCaller(
            role: "pupil", account: session.accountID, session: session.sessionID, organisationKind: session.school.kind.rawValue,
            organisationID: session.school.id.value, region: session.region, pupil: session.pupil)
    }
}
