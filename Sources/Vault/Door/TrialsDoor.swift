import Audit
public import Foundation
import Policy
import PostgreSQL
public import Tokens

extension Vault {
    /// The purpose enrolments in events are decided, translated and audited for.
    public static let trialsEnrolmentPurpose = "enrolment"

    /// The pupil's trials token for enrolling them in (`create`) or withdrawing them from
    /// (`delete`) event `event` (`17`) of region `eventRegion`, as `requester` (a navigator).
    ///
    /// First the policy decides `action` on the pupil's `enrolment` (the pupil, their school and
    /// region, the event): a refusal is audited (`policy.decided`, deny) and thrown. Then the pupil
    /// is translated into the trials namespace for purpose `enrolment`
    /// (``moduleToken(for:in:purpose:by:)``: policy, consent, `token.resolved`).
    ///
    /// - Throws: ``VaultError/Code/invalidRequest``, ``VaultError/Code/policyDenied``, the consent
    ///   codes, ``VaultError/Code/unknownSubject``, ``VaultError/Code/subjectErased``,
    ///   ``VaultError/Code/sealed``, ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``.
    public func trialsEnrolmentToken(
        for pupil: SubjectToken, event: String, eventRegion: String, action: String, by requester: Requester
    ) async throws(VaultError) -> TrialsToken {
        guard action == "create" || action == "delete" else { throw VaultError(.invalidRequest, reason: "create or delete") }
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.trialsEnrolmentPurpose)
        let now = clock.now
        let policySet = policies.current
        let decided: Result<Void, VaultError> = try await withTransaction { connection in
            // An unknown or erased pupil goes on to the translation, which refuses and audits it.
            guard let subject = try await SubjectQueries.byTokens([pupil], on: connection).first, !subject.isErased,
                  subject.kind == .pupil
            else { return .success(()) }
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            var attributes: [String: Value] = [
                "pupil": .entity(EntityRef("pupil", subject.token.rawValue)), "event": .entity(EntityRef("event", event)),
            ]
            if let school = subject.organisation { attributes["school"] = .entity(EntityRef("school", school)) }
            attributes["region"] = .entity(EntityRef("region", subject.region ?? eventRegion))
            let resource = Resource(type: "enrolment", id: "\(subject.token.rawValue)@\(event)", attributes: attributes)
            if let refusal = try await guarded.permitOrAuditDenial(
                action, resource, subject: subject.token, purpose: Self.trialsEnrolmentPurpose)
            {
                return .failure(refusal)
            }
            return .success(())
        }
        try decided.get()
        let token = try await moduleToken(for: .subject(pupil), in: .trials, purpose: Self.trialsEnrolmentPurpose, by: requester)
        guard let typed = token.typed(as: TrialsNamespace.self) else { throw VaultError(.storage, reason: "not a trials token") }
        return typed
    }

    /// Records the relationship facts of seats in event `event`: `enrolled_in(pupil → event)` for
    /// each pupil of `seated` (trials tokens) from now until `endsAt`, and expires them now for each
    /// of `released`. A fact already live is not recorded twice. Each change is audited
    /// (`trials.relationship_recorded`, subject the pupil's vault token) in the same transaction.
    /// Tokens that name no pupil are skipped.
    ///
    /// - Throws: ``VaultError/Code/invalidRequest``, ``VaultError/Code/sealed``,
    ///   ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func recordTrialsSeats(
        event: String, endsAt: Date, seated: [TrialsToken], released: [TrialsToken], by requester: Requester
    ) async throws(VaultError) {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.trialsEnrolmentPurpose)
        guard seated.count + released.count <= configuration.maximumBatchSize else {
            throw VaultError(.invalidRequest, reason: "too many pupils in one call")
        }
        let now = clock.now
        let policySet = policies.current
        let all = (seated + released).map { ModuleToken($0) }
        guard !all.isEmpty else { return }
        let seatedSet = Set(seated.map(\.rawValue))
        try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            let store = RelationshipStore(connection: connection)
            var events: [any TypedAuditEvent] = []
            for (token, subject) in try await SubjectQueries.byModuleTokens(all, on: connection) where subject.kind == .pupil {
                let pupil = EntityRef("pupil", subject.token.rawValue)
                let object = EntityRef("event", event)
                if seatedSet.contains(token.rawValue) {
                    let live = try await connection.query(
                        """
                        SELECT 1 FROM policy.relationships
                        WHERE kind = 'enrolled_in' AND subject_type = 'pupil' AND subject_id = \(pupil.id)
                          AND object_type = 'event' AND object_id = \(event) AND expired_at IS NULL
                        """)
                    guard live.isEmpty, now < endsAt else { continue }
                    try await store.assert(
                        Relationship("enrolled_in", subject: pupil, object: object, validFrom: Self.timestamp(now), validUntil: Self.timestamp(endsAt)))
                    events.append(
                        TrialsRelationshipRecorded(
                            actor: requester.actor, subject: subject.token.rawValue, relation: "enrolled_in", change: .recorded,
                            eventID: "event:\(event)", user: nil, purpose: Self.trialsEnrolmentPurpose))
                } else {
                    guard try await store.expire("enrolled_in", subject: pupil, object: object, at: Self.timestamp(now)) > 0 else { continue }
                    events.append(
                        TrialsRelationshipRecorded(
                            actor: requester.actor, subject: subject.token.rawValue, relation: "enrolled_in", change: .expired,
                            eventID: "event:\(event)", user: nil, purpose: Self.trialsEnrolmentPurpose))
                }
            }
            try await guarded.audit(events)
        }
    }

    /// Records that `mentor` (`usr_…`) runs event `event` from `startsAt` to `endsAt`
    /// (`run_by(event → user)`), expiring now the fact of any other mentor of the event; audited
    /// (`trials.relationship_recorded`) in the same transaction.
    ///
    /// - Throws: ``VaultError/Code/invalidRequest``, ``VaultError/Code/sealed``,
    ///   ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func recordTrialsRunBy(
        event: String, mentor: String, startsAt: Date, endsAt: Date, by requester: Requester
    ) async throws(VaultError) {
        _ = try keys()
        try checkRequest(requester: requester, purpose: "administration")
        guard startsAt < endsAt else { throw VaultError(.invalidRequest, reason: "the event must end after it starts") }
        let now = clock.now
        let policySet = policies.current
        try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            var events: [any TypedAuditEvent] = []
            let expired = try await connection.query(
                """
                UPDATE policy.relationships SET expired_at = \(now)
                WHERE kind = 'run_by' AND subject_type = 'event' AND subject_id = \(event) AND object_type = 'user'
                  AND object_id <> \(mentor) AND (expired_at IS NULL OR expired_at > \(now))
                RETURNING object_id
                """)
            for row in expired {
                events.append(
                    TrialsRelationshipRecorded(
                        actor: requester.actor, subject: nil, relation: "run_by", change: .expired, eventID: "event:\(event)",
                        user: "user:\(try row.decode(String.self, at: 0))", purpose: "administration"))
            }
            let live = try await connection.query(
                """
                SELECT 1 FROM policy.relationships
                WHERE kind = 'run_by' AND subject_type = 'event' AND subject_id = \(event) AND object_type = 'user'
                  AND object_id = \(mentor) AND expired_at IS NULL
                  AND valid_from = \(Self.whole(startsAt)) AND valid_until = \(Self.whole(endsAt))
                """)
            if live.isEmpty {
                try await connection.execute(
                    """
                    UPDATE policy.relationships SET expired_at = \(now)
                    WHERE kind = 'run_by' AND subject_type = 'event' AND subject_id = \(event) AND object_type = 'user'
                      AND object_id = \(mentor) AND expired_at IS NULL
                    """)
                try await RelationshipStore(connection: connection).assert(
                    Relationship(
                        "run_by", subject: EntityRef("event", event), object: EntityRef("user", mentor),
                        validFrom: Self.timestamp(startsAt), validUntil: Self.timestamp(endsAt)))
                events.append(
                    TrialsRelationshipRecorded(
                        actor: requester.actor, subject: nil, relation: "run_by", change: .recorded, eventID: "event:\(event)",
                        user: "user:\(mentor)", purpose: "administration"))
            }
            try await guarded.audit(events)
        }
    }

    /// `date` to the whole second, as the relationship facts hold it.
    static func whole(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
