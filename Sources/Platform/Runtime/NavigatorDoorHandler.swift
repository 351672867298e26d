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
        case .assignedNames(let purpose, let after, let limit):
            return await assignedNames(purpose: purpose, after: after, limit: limit, caller: caller, requester: requester, vault: vault)
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
            case .progressPage, .assignedNames:
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
    /// The name parts a progress page or a choice of assigned pupils shows.
    static let progressFields: [FieldName] = [.surname, .firstName, .patronymic]

    /// One page of the caller's assigned pupils: their live assignments (the vault lists only the
    /// caller's own), the names of the page in one batch read (`pii.read` per pupil, permit or
    /// deny), and for each pupil whose read the vault released, their module tokens
    /// (`token.resolved` each). A pupil whose name is withheld gets no module token either: the
    /// gateway counts nothing for them.
    static func progressPage(
        after: String?, limit: Int, caller: DoorCaller, requester: Requester, vault: Vault
    ) async -> VaultDoorResponse {
        do throws(VaultError) {
            guard let read = try await names(after: after, limit: limit, purpose: progressPurpose, caller: caller, requester: requester, vault: vault)
            else { return .refused(code: caller.role == "navigator" ? "invalid-request" : "forbidden") }
            var pupils: [NavigatorPupilProgress] = []
            for (token, name) in read.names {
                var entry = NavigatorPupilProgress(
                    pupil: name.pupil, surname: name.surname, firstName: name.firstName, patronymic: name.patronymic, refusal: name.refusal)
                if name.refusal == nil {
                    entry.assessmentToken = try await moduleToken(token, in: .assessment, requester: requester, vault: vault)
                    entry.trialsToken = try await moduleToken(token, in: .trials, requester: requester, vault: vault)
                    entry.recommendationsToken = try await moduleToken(token, in: .recommendations, requester: requester, vault: vault)
                }
                pupils.append(entry)
            }
            return .navigators(.progress(NavigatorProgressPage(pupils: pupils, next: read.next)))
        } catch {
            return .refused(code: DoorRefusals.code(for: error, about: .school))
        }
    }

    /// One page of the caller's assigned pupils' names read for `purpose` (`pii.read` per
    /// pupil, permit or deny): no module token is resolved.
    static func assignedNames(
        purpose: AssignedPupilsPurpose, after: String?, limit: Int, caller: DoorCaller, requester: Requester, vault: Vault
    ) async -> VaultDoorResponse {
        do throws(VaultError) {
            guard let read = try await names(after: after, limit: limit, purpose: purpose.rawValue, caller: caller, requester: requester, vault: vault)
            else { return .refused(code: caller.role == "navigator" ? "invalid-request" : "forbidden") }
            return .navigators(.names(NavigatorPupilNamesPage(pupils: read.names.map(\.1), next: read.next)))
        } catch {
            return .refused(code: DoorRefusals.code(for: error, about: .school))
        }
    }

    /// The caller's live assignments after `after`, at most `limit`, with each pupil's name read
    /// for `purpose` in one batch (`pii.read` per pupil). Nil when the caller is no navigator or
    /// `after` no vault token.
    private static func names(
        after: String?, limit: Int, purpose: String, caller: DoorCaller, requester: Requester, vault: Vault
    ) async throws(VaultError) -> (names: [(SubjectToken, NavigatorPupilName)], next: String?)? {
        guard caller.role == "navigator" else { return nil }
        var cursor: SubjectToken?
        if let after {
            guard let token = try? SubjectToken(parsing: after) else { return nil }
            cursor = token
        }
        let page = try await vault.assignedPupils(after: cursor, limit: limit, by: requester)
        guard !page.pupils.isEmpty else { return ([], nil) }
        let outcomes = try await vault.readBatch(page.pupils.map { .subject($0) }, fields: progressFields, purpose: purpose, by: requester)
        let names = page.pupils.map { token -> (SubjectToken, NavigatorPupilName) in
            var name = NavigatorPupilName(pupil: token.rawValue)
            switch outcomes[.subject(token)] {
            case .released(let data)?:
                name.surname = data.fields[.surname]?.releasedValue?.exposedText
                name.firstName = data.fields[.firstName]?.releasedValue?.exposedText
                name.patronymic = data.fields[.patronymic]?.releasedValue?.exposedText
            case .refused(let error)?:
                name.refusal = DoorRefusals.code(for: error, about: .pupil)
            case nil:
                name.refusal = "internal"
            }
            return (token, name)
        }
        return (names, page.next?.rawValue)
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
