import Foundation
import Tokens
import Vault
import VaultDoor

/// Answers the door's ``NavigatorDoorRequest``s in the vault process, as the verified
/// ``DoorCaller``'s requester: the vault decides (the school's own pupil and its own navigator),
/// records or ends the `assigned_navigator` fact and audits; this only translates messages and
/// folds refusals (``DoorRefusals``): another school's pupil reads as an unknown token
/// (`pupil-not-found`), another school's navigator as an unknown account (`navigator-not-found`).
enum NavigatorDoorHandler {
    static func answer(_ request: NavigatorDoorRequest, caller: DoorCaller, vault: Vault) async -> VaultDoorResponse {
        let requester: Requester
        do {
            requester = try Requester(caller: caller, schema: vault.policies.current.schema)
        } catch {
            return .refused(code: "forbidden")
        }
        let pupilText: String
        switch request {
        case .assign(let pupil, _), .list(let pupil), .end(let pupil, _): pupilText = pupil
        }
        guard let pupil = try? SubjectToken(parsing: pupilText) else { return .refused(code: "pupil-not-found") }
        do throws(VaultError) {
            switch request {
            case .assign(_, let navigator):
                return .navigators(.assigned(summary(try await vault.assignNavigator(navigator, to: pupil, by: requester))))
            case .list:
                return .navigators(.assignments(try await vault.navigators(of: pupil, by: requester).map(summary)))
            case .end(_, let navigator):
                try await vault.endNavigatorAssignment(navigator, of: pupil, by: requester)
                return .navigators(.ended)
            }
        } catch {
            return .refused(code: code(for: error))
        }
    }

    /// The refusal code: a denial on the pupil folds into `pupil-not-found`; on the navigator's
    /// staff record (reason names the staff rule or its absence) into `navigator-not-found`.
    static func code(for error: VaultError) -> String {
        switch error.code {
        case .unknownNavigator: return "navigator-not-found"
        case .unknownAssignment: return "assignment-not-found"
        case .policyDenied where error.reason?.hasSuffix("(the navigator's staff record)") == true: return "navigator-not-found"
        default: return DoorRefusals.code(for: error, about: .pupil)
        }
    }

    static func summary(_ assignment: NavigatorAssignment) -> NavigatorAssignmentSummary {
        NavigatorAssignmentSummary(
            navigator: assignment.navigator, validFrom: assignment.validFrom.ISO8601Format(),
            validUntil: assignment.validUntil.ISO8601Format())
    }
}
