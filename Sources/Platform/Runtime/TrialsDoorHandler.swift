import Audit
import Foundation
import Logging
import Tokens
import Vault
import VaultDoor

/// Answers the door's ``TrialsDoorRequest``s in the vault process, each as the verified caller,
/// through the vault's public API (which decides, checks consent and audits):
///
/// - `enrolmentToken`: a navigator's pupil (vault token) → trials token, under the navigator's
///   `create`/`delete enrolment` policy and the translation's (`token.resolved`);
/// - `seats`: the `enrolled_in` facts of seats taken and freed (navigators only), a seat only for a
///   pupil whose token the vault issued for enrolment in that event;
/// - `runBy`: the `run_by` fact of the mentor a venue named (venues only; a live mentor account of
///   the caller's venue, the event bound to that venue), or none;
/// - `ownToken`: a pupil's own trials token (purpose `enrolment`, rule `pupil.self.trials`), for
///   listing the pupil's own enrolments;
/// - `attendanceNames`: the names of an event's pupils for the mentor running it, purpose
///   `event_attendance`, each `pii.read` audited, once the vault has checked that the caller is
///   still a live mentor of the venue the event is bound to; a pupil the policy or the consent does not
///   release comes back with its refusal code and no name.
///
/// A caller of the wrong role or kind of organisation is refused `forbidden`, audited
/// (`policy.decided`, rule `vault.trials.wrong-role`). A refusal of the whole request is one of
/// the door's refusal codes; another school's pupil,
/// an unknown token and an erased one all answer `pupil-not-found`.
enum TrialsDoorHandler {
    static func answer(_ request: TrialsDoorRequest, caller: DoorCaller, vault: Vault) async -> VaultDoorResponse {
        do throws(VaultError) {
            let requester = try Requester(caller: caller, schema: vault.policies.current.schema)
            return .trials(try await answer(request, caller: caller, requester: requester, vault: vault))
        } catch {
            let code = DoorRefusals.code(for: error, about: scope(of: request))
            if code == "unavailable" || code == "internal" {
                logger.warning("trials request failed", metadata: ["error": "\(error.description)"])
            }
            return .refused(code: code)
        }
    }

    private static let logger = Logger(label: "bilet.vault.trials")

    static func scope(of request: TrialsDoorRequest) -> DoorRefusals.Scope {
        switch request {
        case .enrolmentToken: .pupil
        case .seats, .runBy, .attendanceNames: .school
        case .ownToken: .pupil
        }
    }

    private static func answer(
        _ request: TrialsDoorRequest, caller: DoorCaller, requester: Requester, vault: Vault
    ) async throws(VaultError) -> TrialsDoorResponse {
        switch request {
        case .enrolmentToken(let pupil, let event, let region, let action):
            guard let token = SubjectToken(pupil) else { throw VaultError(.unknownSubject) }
            guard caller.role == "navigator" else {
                throw try await vault.trialsCallerRefusal(
                    action: action == "delete" ? "delete" : "create", resource: "enrolment", purpose: Vault.trialsEnrolmentPurpose, by: requester)
            }
            let trials = try await vault.trialsEnrolmentToken(for: token, event: event, eventRegion: region, action: action, by: requester)
            return .token(trials.rawValue)
        case .seats(let event, let endsAt, let seated, let released):
            guard caller.role == "navigator" else {
                throw try await vault.trialsCallerRefusal(action: "create", resource: "enrolment", purpose: Vault.trialsEnrolmentPurpose, by: requester)
            }
            guard let end = AuditTime.parse(endsAt) else { throw VaultError(.invalidRequest, reason: "endsAt is ISO 8601") }
            let refused = try await vault.recordTrialsSeats(
                event: event, endsAt: end, seated: try tokens(seated), released: try tokens(released), by: requester)
            if refused > 0 { logger.warning("seats or releases were refused", metadata: ["refused": "\(refused)"]) }
            return .recorded
        case .runBy(let event, let mentor, let startsAt, let endsAt):
            guard caller.role == "venue", caller.organisationKind == "venue", let venue = caller.organisationID else {
                throw try await vault.trialsCallerRefusal(action: "update", resource: "event", purpose: "administration", by: requester)
            }
            guard let start = AuditTime.parse(startsAt), let end = AuditTime.parse(endsAt) else {
                throw VaultError(.invalidRequest, reason: "startsAt and endsAt are ISO 8601")
            }
            try await vault.recordTrialsRunBy(event: event, venue: venue, mentor: mentor, startsAt: start, endsAt: end, by: requester)
            return .recorded
        case .ownToken:
            guard caller.role == "pupil", let own = caller.pupil, let subject = SubjectToken(own) else {
                throw try await vault.trialsCallerRefusal(action: "read", resource: "pupil", purpose: Vault.trialsEnrolmentPurpose, by: requester)
            }
            let token = try await vault.moduleToken(for: .subject(subject), in: .trials, purpose: Vault.trialsEnrolmentPurpose, by: requester)
            return .token(token.rawValue)
        case .attendanceNames(let event, let pupils):
            guard caller.role == "mentor", caller.organisationKind == "venue", let venue = caller.organisationID else {
                throw try await vault.trialsCallerRefusal(action: "read", resource: "event", purpose: "event_attendance", by: requester)
            }
            let references = try tokens(pupils).map { SubjectReference.module(ModuleToken($0)) }
            guard !references.isEmpty else { return .names([]) }
            try await vault.checkTrialsMentor(event: event, account: caller.account, venue: venue, by: requester)
            let outcomes = try await vault.readBatch(
                references, fields: [.firstName, .surname], purpose: "event_attendance", by: requester)
            return .names(
                references.map { reference in
                    switch outcomes[reference] {
                    case .released(let data)?:
                        AttendanceName(
                            pupil: reference.text, firstName: data.fields[.firstName]?.releasedValue?.exposedText,
                            surname: data.fields[.surname]?.releasedValue?.exposedText, refusal: nil)
                    case .refused(let error)?:
                        AttendanceName(
                            pupil: reference.text, firstName: nil, surname: nil,
                            refusal: DoorRefusals.code(for: error, about: .pupil))
                    case nil:
                        AttendanceName(pupil: reference.text, firstName: nil, surname: nil, refusal: "internal")
                    }
                })
        }
    }

    private static func tokens(_ texts: [String]) throws(VaultError) -> [TrialsToken] {
        var tokens: [TrialsToken] = []
        for text in texts {
            guard let token = TrialsToken(text) else { throw VaultError(.invalidRequest, reason: "not a trials token") }
            tokens.append(token)
        }
        return tokens
    }
}
