public import Accounts
public import Gateway
public import VaultDoor

extension DoorCalls {
    /// The most pupils the vault names in one call of ``assignedPupils(for:session:door:)``.
    static let assignedPupilsPage = 100

    /// All of the session's navigator's assigned pupils, each with the name the vault released for
    /// `purpose` (the policy and the pupil's consent for it; one `pii.read` per pupil, permit or
    /// deny) or why it did not: the pupils a navigator may choose from on the enrolment and the
    /// test assignment pages. Names only: no module token is resolved and nothing is read for
    /// another purpose. Pages through the vault's listing (at most ``assignedPupilsPage`` a call)
    /// until it ends. Navigators only (the vault refuses anyone else `403 forbidden`).
    public static func assignedPupils(
        for purpose: AssignedPupilsPurpose, session: StaffSession, door: VaultDoorClient
    ) async throws(Problem) -> [NavigatorPupilName] {
        var pupils: [NavigatorPupilName] = []
        var after: String?
        repeat {
            let answer = try await call(
                door, .navigators(.assignedNames(purpose: purpose, after: after, limit: assignedPupilsPage), caller: caller(for: session)))
            guard case .navigators(.names(let page)) = answer else { throw Problem.internalError }
            pupils += page.pupils
            // The vault's cursor only moves forward (tokens ascend); a page that repeats it ends the loop.
            guard let next = page.next, next != after else { break }
            after = next
        } while true
        return pupils
    }
}
