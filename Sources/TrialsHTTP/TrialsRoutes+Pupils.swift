public import Accounts
import Gateway
public import VaultDoor
import VaultHTTP

extension TrialsRoutes {
    /// The most pupils the vault names in one call of ``enrolmentPupils(session:_:)``.
    static let enrolmentPupilsPage = 100

    /// All of the navigator's assigned pupils, each with the name the vault released for
    /// `enrolment` (`navigator.pupils.assigned`, the enrolment consent; one `pii.read` per pupil,
    /// permit or deny) or why it did not: the pupils a navigator may choose to enrol in an event.
    /// Names only: no module token is resolved and nothing is read for another purpose. Pages
    /// through the vault's listing (at most ``enrolmentPupilsPage`` a call) until it ends.
    /// Navigators only (the vault refuses anyone else `403 forbidden`).
    public static func enrolmentPupils(session: StaffSession, _ dependencies: Dependencies) async throws -> [NavigatorPupilName] {
        var pupils: [NavigatorPupilName] = []
        var after: String?
        repeat {
            let answer = try await DoorCalls.call(
                dependencies.door,
                .navigators(.enrolmentNames(after: after, limit: enrolmentPupilsPage), caller: DoorCalls.caller(for: session)))
            guard case .navigators(.names(let page)) = answer else { throw Problem.internalError }
            pupils += page.pupils
            // The vault's cursor only moves forward (tokens ascend); a page that repeats it ends the loop.
            guard let next = page.next, next != after else { break }
            after = next
        } while true
        return pupils
    }
}
