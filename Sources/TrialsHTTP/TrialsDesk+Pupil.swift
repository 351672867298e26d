public import Accounts
import Audit
public import Foundation
import Gateway
import Policy
import Tokens
public import Trials
public import VaultDoor
import VaultHTTP

extension TrialsDesk {
    /// The fields of an event a pupil is shown (rule `pupil.events.own-region`).
    static let pupilEventFields = ["title", "place", "schedule"]

    /// The pupil's own enrolments, soonest first (`GET /v1/pupil/events`, the pupil's events page):
    /// the pupil's trials token from the vault's door (``TrialsDoorRequest/ownToken``: rule
    /// `pupil.self.trials`, audited `token.resolved`), the store's enrolments of that token, and
    /// each event decided `read` of its title, place and schedule for `enrolment` (rule
    /// `pupil.events.own-region`). An event the policy does not show is left out and its refusal
    /// audited (`policy.decided`, deny).
    ///
    /// - Throws: the door's refusal as a ``Problem``; ``TrialsError`` (`storage`, `recordFailed`).
    public func pupilEvents(_ session: PupilSession, door: VaultDoorClient, now: Date = Date()) async throws -> [EnrolledEvent] {
        guard case .trials(.token(let text)) = try await DoorCalls.call(door, .trials(.ownToken, caller: DoorCalls.caller(forPupil: session))),
            let token = TrialsToken(text)
        else { throw Problem.internalError }
        var shown: [EnrolledEvent] = []
        for enrolment in try await store.enrolments(of: token) {
            let decision = await policies.decide(
                PolicyRequest(
                    principal: session.principal, action: "read", resource: Self.eventResource(enrolment.event), fields: Self.pupilEventFields,
                    purpose: Self.enrolment, time: Self.timestamp(now)),
                relationships: InMemoryRelationships())
            if decision.isAllowed {
                shown.append(enrolment)
                continue
            }
            do {
                try await log.append(
                    PolicyDecided(
                        actor: session.actor, subject: session.pupil, decision: .deny, purpose: Self.enrolment, action: "read", resource: "event",
                        fieldsRequested: Self.pupilEventFields,
                        rule: decision.decidingRules.first.flatMap { AuditFieldKind.code.accepts(.string($0)) ? $0 : nil },
                        policyVersion: decision.policyVersion.digest),
                    using: recorder)
            } catch {
                throw TrialsError(.recordFailed, "the audit record could not be written")
            }
        }
        return shown
    }
}
