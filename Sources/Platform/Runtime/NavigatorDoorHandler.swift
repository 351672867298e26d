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
        case .progressPage(let after, let limit):
            return await progressPage(after: after, limit: limit, caller: caller, requester: requester, vault: vault)
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
            case .progressPage:
                return .refused(code: "internal")
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

    /// The purpose a navigator follows their pupils' progress under: the one they prepare
    /// recommendations for (`navigator.pupils.assigned` releases the names and, with no field,
    /// the pupil's module tokens for it; every module releases its token for it).
    static let progressPurpose = "recommendation"
    /// The name parts a progress page shows.
    static let progressFields: [FieldName] = [.surname, .firstName, .patronymic]

    /// One page of the caller's assigned pupils: their live assignments (the vault lists only the
    /// caller's own), the names of the page in one batch read (`pii.read` per pupil, permit or
    /// deny), and for each pupil whose read the vault released, their module tokens
    /// (`token.resolved` each). A pupil whose name is withheld gets no module token either: the
    /// gateway counts nothing for them.
    static func progressPage(
        after: String?, limit: Int, caller: DoorCaller, requester: Requester, vault: Vault
    ) async -> VaultDoorResponse {
        guard caller.role == "navigator" else { return .refused(code: "forbidden") }
        var cursor: SubjectToken?
        if let after {
            guard let token = try? SubjectToken(parsing: after) else { return .refused(code: "invalid-request") }
            cursor = token
        }
        do throws(VaultError) {
            let page = try await vault.assignedPupils(after: cursor, limit: limit, by: requester)
            guard !page.pupils.isEmpty else { return .navigators(.progress(NavigatorProgressPage(pupils: [], next: nil))) }
            let references = page.pupils.map { SubjectReference.subject($0) }
            let outcomes = try await vault.readBatch(references, fields: progressFields, purpose: progressPurpose, by: requester)
            var pupils: [NavigatorPupilProgress] = []
            for token in page.pupils {
                var entry = NavigatorPupilProgress(pupil: token.rawValue)
                switch outcomes[.subject(token)] {
                case .released(let data)?:
                    entry.surname = data.fields[.surname]?.releasedValue?.exposedText
                    entry.firstName = data.fields[.firstName]?.releasedValue?.exposedText
                    entry.patronymic = data.fields[.patronymic]?.releasedValue?.exposedText
                    entry.assessmentToken = try await moduleToken(token, in: .assessment, requester: requester, vault: vault)
                    entry.trialsToken = try await moduleToken(token, in: .trials, requester: requester, vault: vault)
                    entry.recommendationsToken = try await moduleToken(token, in: .recommendations, requester: requester, vault: vault)
                case .refused(let error)?:
                    entry.refusal = DoorRefusals.code(for: error, about: .pupil)
                case nil:
                    entry.refusal = "internal"
                }
                pupils.append(entry)
            }
            return .navigators(.progress(NavigatorProgressPage(pupils: pupils, next: page.next?.rawValue)))
        } catch {
            return .refused(code: DoorRefusals.code(for: error, about: .school))
        }
    }

    /// The pupil's token in `module` for the progress purpose, or nil when the vault refuses it
    /// for this pupil (the refusal is audited as `token.resolved`, deny). A failure of the whole
    /// (sealed, audit, storage) fails the page: nothing is answered without its audit record.
    private static func moduleToken(
        _ pupil: SubjectToken, in module: Module, requester: Requester, vault: Vault
    ) async throws(VaultError) -> String? {
        do throws(VaultError) {
            return try await vault.moduleToken(for: .subject(pupil), in: module, purpose: progressPurpose, by: requester).rawValue
        } catch {
            switch DoorRefusals.code(for: error) {
            case "sealed", "unavailable", "internal": throw error
            default: return nil
            }
        }
    }
}
