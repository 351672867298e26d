import Audit
public import Foundation
import Policy
import PostgreSQL
public import Tokens

extension Vault {
    /// The purpose enrolments in events are decided, translated and audited for.
    public static let trialsEnrolmentPurpose = "enrolment"

    /// The longest event window the vault accepts (`runBy`), as the trials module bounds an event
    /// (31 days) and `trials.events` checks it (0840): the `run_by` and `enrolled_in` facts end
    /// with the event, so a longer window would stretch a mentor's access to names.
    public static let trialsMaximumEventWindow: TimeInterval = 31 * 86_400

    /// The pupil's trials token for enrolling them in (`create`) or withdrawing them from
    /// (`delete`) event `event` (`17`) of region `eventRegion`, as `requester` (a navigator).
    ///
    /// First the policy decides `action` on the pupil's `enrolment` (the pupil, their school and
    /// region, the event): a refusal is audited (`policy.decided`, deny) and thrown. Then the pupil
    /// is translated into the trials namespace for purpose `enrolment`
    /// (``moduleToken(for:in:purpose:by:)``: policy, consent, `token.resolved`). For `create`, the
    /// vault then records that it issued the token for this event (`enrolment_pending`, audited):
    /// ``recordTrialsSeats(event:endsAt:seated:released:by:)`` seats only such pupils.
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
            let resource = Self.enrolmentResource(subject, event: event, eventRegion: eventRegion)
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
        // Only a token the vault issued for enrolling the pupil in this event may later become a seat.
        if action == "create" { try await recordEnrolmentPending(pupil: pupil, event: event, by: requester) }
        return typed
    }

    /// Records the relationship facts of seats in event `event`: for each pupil of `seated` (trials
    /// tokens), `enrolled_in(pupil → event)` from now until `endsAt`, but only when the vault itself
    /// issued that pupil's token for `create enrolment` in this event (a live `enrolment_pending`
    /// fact, recorded by ``trialsEnrolmentToken(for:event:eventRegion:action:by:)``), which it then
    /// ends. The fact ends at `endsAt` or the end of the window the vault accepted for the event
    /// (``recordTrialsRunBy(event:venue:mentor:startsAt:endsAt:by:)``), whichever is earlier; with
    /// no accepted window the seat is refused (rule `vault.trials.no-event-window`). For each of `released`, the pupil's `enrolled_in` and `enrolment_pending` facts are
    /// expired now. A fact already live is not recorded twice. Each change is audited
    /// (`trials.relationship_recorded`, subject the pupil's vault token) in the same transaction; a
    /// seat the vault never issued (a token the trials module alone put in the event, for
    /// instance) is refused and audited as `policy.decided` (deny, rule
    /// `vault.trials.seat-not-issued`) in the same transaction, and the others are recorded. A
    /// released pupil's facts are expired only when the policy allows the caller `delete` of the
    /// pupil's enrolment (as for the `delete` token); a refusal is audited (`policy.decided`, deny)
    /// and counted.
    /// Tokens that name no pupil are skipped.
    ///
    /// - Returns: how many seats and releases were refused.
    /// - Throws: ``VaultError/Code/invalidRequest``, ``VaultError/Code/sealed``,
    ///   ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    @discardableResult
    public func recordTrialsSeats(
        event: String, endsAt: Date, seated: [TrialsToken], released: [TrialsToken], by requester: Requester
    ) async throws(VaultError) -> Int {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.trialsEnrolmentPurpose)
        guard seated.count + released.count <= configuration.maximumBatchSize else {
            throw VaultError(.invalidRequest, reason: "too many pupils in one call")
        }
        let now = clock.now
        let policySet = policies.current
        let all = (seated + released).map { ModuleToken($0) }
        guard !all.isEmpty else { return 0 }
        let seatedSet = Set(seated.map(\.rawValue))
        return try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            let store = RelationshipStore(connection: connection)
            // A seat ends with the event as the vault accepted its window (runBy), never later.
            let window = try await Self.eventWindowEnd(event, on: connection)
            var events: [any TypedAuditEvent] = []
            var refused = 0
            func recorded(_ subject: SubjectToken, _ relation: String, _ change: TrialsRelationshipRecorded.Change) {
                events.append(
                    TrialsRelationshipRecorded(
                        actor: requester.actor, subject: subject.rawValue, relation: relation, change: change,
                        eventID: "event:\(event)", user: nil, purpose: Self.trialsEnrolmentPurpose))
            }
            for (token, subject) in try await SubjectQueries.byModuleTokens(all, on: connection) where subject.kind == .pupil {
                let pupil = EntityRef("pupil", subject.token.rawValue)
                let object = EntityRef("event", event)
                if seatedSet.contains(token.rawValue) {
                    if try await Self.liveFact("enrolled_in", pupil, object, on: connection) {
                        if try await store.expire(Self.enrolmentPending, subject: pupil, object: object, at: Self.timestamp(now)) > 0 {
                            recorded(subject.token, Self.enrolmentPending, .expired)
                        }
                        continue
                    }
                    guard try await Self.liveFact(Self.enrolmentPending, pupil, object, on: connection) else {
                        refused += 1
                        try await guarded.auditDenial(
                            subject: subject.token, action: "create", resource: "enrolment", fields: [],
                            purpose: Self.trialsEnrolmentPurpose, rule: "vault.trials.seat-not-issued")
                        continue
                    }
                    guard let window else {
                        refused += 1
                        try await guarded.auditDenial(
                            subject: subject.token, action: "create", resource: "enrolment", fields: [],
                            purpose: Self.trialsEnrolmentPurpose, rule: "vault.trials.no-event-window")
                        continue
                    }
                    let until = min(endsAt, window)
                    guard now < until else { continue }
                    try await store.expire(Self.enrolmentPending, subject: pupil, object: object, at: Self.timestamp(now))
                    recorded(subject.token, Self.enrolmentPending, .expired)
                    try await store.assert(
                        Relationship("enrolled_in", subject: pupil, object: object, validFrom: Self.timestamp(now), validUntil: Self.timestamp(until)))
                    recorded(subject.token, "enrolled_in", .recorded)
                } else {
                    // Only a pupil the caller may withdraw from the event (the same decision as the
                    // `delete` token's): another navigator's pupil keeps its facts (review 2 #7).
                    if try await guarded.permitOrAuditDenial(
                        "delete", Self.enrolmentResource(subject, event: event, eventRegion: nil), subject: subject.token,
                        purpose: Self.trialsEnrolmentPurpose) != nil
                    {
                        refused += 1
                        continue
                    }
                    for relation in ["enrolled_in", Self.enrolmentPending] {
                        if try await store.expire(relation, subject: pupil, object: object, at: Self.timestamp(now)) > 0 {
                            recorded(subject.token, relation, .expired)
                        }
                    }
                }
            }
            try await guarded.audit(events)
            return refused
        }
    }

    /// The pupil's `enrolment` in event `event` as the policy sees it: the pupil, their school and
    /// region (the event's, `eventRegion`, when the pupil has none), the event.
    static func enrolmentResource(_ subject: SubjectRecord, event: String, eventRegion: String?) -> Resource {
        var attributes: [String: Value] = [
            "pupil": .entity(EntityRef("pupil", subject.token.rawValue)), "event": .entity(EntityRef("event", event)),
        ]
        if let school = subject.organisation { attributes["school"] = .entity(EntityRef("school", school)) }
        if let region = subject.region ?? eventRegion { attributes["region"] = .entity(EntityRef("region", region)) }
        return Resource(type: "enrolment", id: "\(subject.token.rawValue)@\(event)", attributes: attributes)
    }

    /// Audits the refusal of a trials door request whose caller is not of the role or the kind of
    /// organisation the request is for (a navigator's `seats` sent by a venue, a mentor's names
    /// asked by a navigator …): `policy.decided`, deny, rule `vault.trials.wrong-role`, for
    /// `action` on `resource` for `purpose` (modules attack review 2, #10). Returns the refusal
    /// to throw.
    ///
    /// - Throws: ``VaultError/Code/sealed``, the audit errors, ``VaultError/Code/storage``.
    public func trialsCallerRefusal(action: String, resource: String, purpose: String, by requester: Requester) async throws(VaultError) -> VaultError {
        _ = try keys()
        let now = clock.now
        let policySet = policies.current
        try await withTransaction { connection in
            try await self.accessGuard(requester, policySet: policySet, at: now, on: connection).auditDenial(
                subject: nil, action: action, resource: resource, fields: [], purpose: purpose, rule: "vault.trials.wrong-role")
        }
        return VaultError(.policyDenied, reason: "policy: not a request of this caller's role")
    }

    /// The relationship kind the vault records when it issues a pupil's trials token for `create
    /// enrolment` in an event (`pupil → event`): the only ground on which a seat later becomes
    /// `enrolled_in`.
    public static let enrolmentPending = "enrolment_pending"

    /// Whether a `kind` fact from `subject` to `object` is live (not expired).
    static func liveFact(_ kind: String, _ subject: EntityRef, _ object: EntityRef, on connection: PostgresConnection) async throws -> Bool {
        try await !connection.query(
            """
            SELECT 1 FROM policy.relationships
            WHERE kind = \(kind) AND subject_type = \(subject.type) AND subject_id = \(subject.id)
              AND object_type = \(object.type) AND object_id = \(object.id) AND expired_at IS NULL
            """
        ).isEmpty
    }

    /// The end of event `event`'s window as the vault last accepted it (`runBy`,
    /// `vault.trial_event_venues`), nil when it has accepted none.
    static func eventWindowEnd(_ event: String, on connection: PostgresConnection) async throws -> Date? {
        try await connection.query("SELECT ends_at FROM vault.trial_event_venues WHERE event = \(event)").first?.decode(Date?.self, at: 0)
    }

    /// Records that the vault issued `pupil`'s trials token for enrolling them in `event`
    /// (`enrolment_pending`, unless that fact or `enrolled_in` is live already), audited.
    func recordEnrolmentPending(pupil: SubjectToken, event: String, by requester: Requester) async throws(VaultError) {
        let now = clock.now
        let policySet = policies.current
        try await withTransaction { connection in
            let subject = EntityRef("pupil", pupil.rawValue)
            let object = EntityRef("event", event)
            guard try await !Self.liveFact(Self.enrolmentPending, subject, object, on: connection),
                  try await !Self.liveFact("enrolled_in", subject, object, on: connection)
            else { return }
            try await RelationshipStore(connection: connection).assert(
                Relationship(Self.enrolmentPending, subject: subject, object: object, validFrom: Self.timestamp(now), validUntil: nil))
            try await self.accessGuard(requester, policySet: policySet, at: now, on: connection).audit(
                TrialsRelationshipRecorded(
                    actor: requester.actor, subject: pupil.rawValue, relation: Self.enrolmentPending, change: .recorded,
                    eventID: "event:\(event)", user: nil, purpose: Self.trialsEnrolmentPurpose))
        }
    }

    /// Records who runs event `event` of venue `venue` (the caller's): `mentor` (`usr_…`) from
    /// `startsAt` to `endsAt` (`run_by(event → user)`), expiring now the fact of any other mentor of
    /// the event; with no mentor, every `run_by` of the event is expired. Audited
    /// (`trials.relationship_recorded`) in the same transaction.
    ///
    /// The vault decides on its own data: the event is bound to the venue that first named its
    /// mentor (`vault.trial_event_venues`, never changed), so another venue is refused; and the
    /// mentor must be a live account with role `mentor` of that venue (`accounts.accounts`). A
    /// refusal is audited (`policy.decided`, deny, rule `vault.trials.event-of-another-venue` or
    /// `vault.trials.not-a-live-mentor`) and thrown as ``VaultError/Code/policyDenied``. A window
    /// longer than ``trialsMaximumEventWindow`` is refused the same way (rule
    /// `vault.trials.window-too-long`); an accepted one is stored with the binding, and every
    /// `enrolled_in` fact of the event ends at the latest at its end.
    ///
    /// - Throws: ``VaultError/Code/invalidRequest``, ``VaultError/Code/policyDenied``,
    ///   ``VaultError/Code/sealed``, ``VaultError/Code/auditFailed``,
    ///   ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func recordTrialsRunBy(
        event: String, venue: String, mentor: String?, startsAt: Date, endsAt: Date, by requester: Requester
    ) async throws(VaultError) {
        _ = try keys()
        try checkRequest(requester: requester, purpose: "administration")
        guard Self.isEventID(event) else { throw VaultError(.invalidRequest, reason: "not an event id") }
        guard startsAt < endsAt else { throw VaultError(.invalidRequest, reason: "the event must end after it starts") }
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<Void, VaultError> = try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            guard endsAt.timeIntervalSince(startsAt) <= Self.trialsMaximumEventWindow else {
                try await guarded.auditDenial(
                    subject: nil, action: "update", resource: "event", fields: [], purpose: "administration",
                    rule: "vault.trials.window-too-long")
                return .failure(VaultError(.policyDenied, reason: "policy: the event window is longer than 31 days"))
            }
            if let refusal = try await self.eventVenueRefusal(event: event, venue: venue, bind: true, guarded: guarded, on: connection) {
                return .failure(refusal)
            }
            if let mentor, !(try await Self.isLiveMentor(mentor, of: venue, on: connection)) {
                try await guarded.auditDenial(
                    subject: nil, action: "update", resource: "event", fields: [], purpose: "administration",
                    rule: "vault.trials.not-a-live-mentor")
                return .failure(VaultError(.policyDenied, reason: "policy: not a live mentor of the venue"))
            }
            try await connection.execute(
                """
                UPDATE vault.trial_event_venues SET starts_at = \(Self.whole(startsAt)), ends_at = \(Self.whole(endsAt))
                WHERE event = \(event)
                """)
            var events: [any TypedAuditEvent] = []
            let expired = try await connection.query(
                """
                UPDATE policy.relationships SET expired_at = \(Self.whole(now))
                WHERE kind = 'run_by' AND subject_type = 'event' AND subject_id = \(event) AND object_type = 'user'
                  AND object_id IS DISTINCT FROM \(mentor) AND (expired_at IS NULL OR expired_at > \(Self.whole(now)))
                RETURNING object_id
                """)
            for row in expired {
                events.append(
                    TrialsRelationshipRecorded(
                        actor: requester.actor, subject: nil, relation: "run_by", change: .expired, eventID: "event:\(event)",
                        user: "user:\(try row.decode(String.self, at: 0))", purpose: "administration"))
            }
            if let mentor {
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
                        UPDATE policy.relationships SET expired_at = \(Self.whole(now))
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
            }
            try await guarded.audit(events)
            return .success(())
        }
        try outcome.get()
    }

    /// Checks, before the vault releases names of event `event`'s pupils to `account` (a mentor of
    /// venue `venue`), that the account is still a live mentor of that venue and the event is
    /// bound to it. A refusal is audited (`policy.decided`, deny, rule
    /// `vault.trials.not-a-live-mentor` or `vault.trials.event-of-another-venue`) and thrown.
    ///
    /// - Throws: ``VaultError/Code/policyDenied``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/sealed``, the audit errors, ``VaultError/Code/storage``.
    public func checkTrialsMentor(event: String, account: String, venue: String, by requester: Requester) async throws(VaultError) {
        _ = try keys()
        guard Self.isEventID(event) else { throw VaultError(.invalidRequest, reason: "not an event id") }
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<Void, VaultError> = try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            guard try await Self.isLiveMentor(account, of: venue, on: connection) else {
                try await guarded.auditDenial(
                    subject: nil, action: "read", resource: "event", fields: [], purpose: "event_attendance",
                    rule: "vault.trials.not-a-live-mentor")
                return .failure(VaultError(.policyDenied, reason: "policy: not a live mentor of the venue"))
            }
            if let refusal = try await self.eventVenueRefusal(event: event, venue: venue, bind: false, guarded: guarded, on: connection) {
                return .failure(refusal)
            }
            return .success(())
        }
        try outcome.get()
    }

    /// Nil when event `event` is bound to `venue` (bound now when it is not bound yet and `bind`);
    /// the refusal otherwise, audited.
    private func eventVenueRefusal(
        event: String, venue: String, bind: Bool, guarded: AccessGuard, on connection: PostgresConnection
    ) async throws -> VaultError? {
        if bind {
            try await connection.execute(
                """
                INSERT INTO vault.trial_event_venues (event, venue, bound_by) VALUES (\(event), \(venue), \(guarded.requester.actor))
                ON CONFLICT (event) DO NOTHING
                """)
        }
        let bound = try await connection.query("SELECT venue FROM vault.trial_event_venues WHERE event = \(event)")
        guard let row = bound.first, try row.decode(String.self, at: 0) == venue else {
            try await guarded.auditDenial(
                subject: nil, action: bind ? "update" : "read", resource: "event", fields: [], purpose: bind ? "administration" : "event_attendance",
                rule: "vault.trials.event-of-another-venue")
            return VaultError(.policyDenied, reason: "policy: the event is another venue's")
        }
        return nil
    }

    /// Whether `account` is an account with role `mentor` of venue `venue`, not disabled.
    static func isLiveMentor(_ account: String, of venue: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT role, organisation, disabled FROM accounts.accounts WHERE id = \(account)")
        guard let row = rows.first else { return false }
        return try row.decode(String.self, at: 0) == "mentor" && row.decode(String.self, at: 1) == "bilet://venue/\(venue)"
            && !row.decode(Bool.self, at: 2)
    }

    /// Whether `text` is an event id as the trials module numbers them.
    static func isEventID(_ text: String) -> Bool {
        guard let first = text.first, first != "0", text.count <= 19 else { return false }
        return text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `date` to the whole second, as the relationship facts hold it.
    static func whole(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
