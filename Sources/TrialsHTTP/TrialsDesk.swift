public import Audit
public import Foundation
public import Gateway
public import Policy
public import PostgreSQL
public import Tokens
public import Trials

/// The trials module's work as the gateway does it for a verified caller: the policy decides
/// (relationships from the module's own data: the mentor the venue named runs the event over its
/// window), the store keeps the module's rules, and every change is audited.
///
/// Audit records are appended by the gateway's own role (`bilet_gateway`; module roles never touch
/// the audit log, invariant 3) from inside the store's transaction, after the change and before it
/// commits: if the record cannot be written the change rolls back (`503 audit-unavailable`), so no
/// change is ever committed without its record. Every refusal by the policy is audited
/// (`policy.decided`, deny) and answered `403 forbidden` (a venue approving its own event: `403
/// self-approval`; deciding an event that is not one's own: `404 event-not-found`).
public struct TrialsDesk: Sendable {
    /// The purpose of venues' and coordinators' work on events.
    public static let administration = "administration"
    /// The purpose of navigators' enrolments.
    public static let enrolment = "enrolment"
    /// The purpose of the mentor's attendance list and marks.
    public static let eventAttendance = "event_attendance"
    /// The purpose of grades and feedback.
    public static let trialFeedback = "trial_feedback"
    /// The grace after an event's end in which its mentor still reaches it (`until 7 days after`).
    public static let mentorGrace: TimeInterval = 7 * 86_400

    public let store: TrialsStore
    public let policies: PolicyStore
    /// A `bilet_gateway` pool: the audit records' writer.
    public let recorder: PostgresConnectionPool
    public let log: AuditLog

    /// A desk over `store` (`bilet_trials`), appending audit records through `recorder` (`bilet_gateway`).
    public init(store: TrialsStore, policies: PolicyStore, recorder: PostgresConnectionPool, log: AuditLog = AuditLog()) {
        self.store = store
        self.policies = policies
        self.recorder = recorder
        self.log = log
    }

    // MARK: Venues

    /// Registers a place of the caller's venue.
    public func addPlace(_ caller: TrialsCaller, name: String, address: String, capacity: Int) async throws -> Place {
        let decision = try await decide(caller, "create", venueResource(caller), fields: ["place"], purpose: Self.administration)
        return try await store.addPlace(venue: caller.organisation, name: name, address: address, capacity: capacity, by: caller.actor) { place in
            try await append(
                TrialsEventChanged(
                    actor: caller.actor, eventID: "place:\(place.id)", change: .placeRegistered, venue: "bilet://venue/\(caller.organisation)",
                    region: "bilet://region/\(caller.region ?? "none")", status: "registered", purpose: Self.administration,
                    policyVersion: decision.policyVersion.digest))
        }
    }

    /// The places of the caller's venue.
    public func places(_ caller: TrialsCaller) async throws -> [Place] {
        _ = try await decide(caller, "read", venueResource(caller), fields: ["place"], purpose: Self.administration)
        return try await store.places(venue: caller.organisation)
    }

    /// Registers `account` as a mentor of the caller's venue; `isMentor` is the accounts' answer
    /// that it is a mentor account of that venue.
    public func addMentor(_ caller: TrialsCaller, account: String, isMentor: Bool) async throws {
        let resource = Resource(
            type: "staff", id: account,
            attributes: [
                "organisation": .entity(EntityRef("venue", caller.organisation)), "region": .entity(EntityRef("region", caller.region ?? "")),
                "user": .entity(EntityRef("user", account)),
            ])
        let decision = try await decide(caller, "update", resource, fields: ["position"], purpose: "staff_management")
        guard isMentor else { throw TrialsError(.mentorNotFound, "the account is not a mentor of the venue") }
        try await store.addMentor(venue: caller.organisation, account: account, by: caller.actor) { account in
            try await append(
                TrialsEventChanged(
                    actor: caller.actor, eventID: "user:\(account)", change: .mentorRegistered, venue: "bilet://venue/\(caller.organisation)",
                    region: "bilet://region/\(caller.region ?? "none")", status: "registered", purpose: "staff_management",
                    policyVersion: decision.policyVersion.digest))
        }
    }

    /// The mentors of the caller's venue.
    public func mentors(_ caller: TrialsCaller) async throws -> [String] {
        _ = try await decide(caller, "read", venueResource(caller), fields: ["place"], purpose: Self.administration)
        return try await store.mentors(venue: caller.organisation)
    }

    /// Creates a draft event of the caller's venue.
    public func createEvent(_ caller: TrialsCaller, _ details: EventDetails) async throws -> TrialEvent {
        guard let region = caller.region else { throw TrialsError(.invalidArgument, "the venue has no region") }
        let decision = try await decide(caller, "create", venueResource(caller), fields: Self.eventFields, purpose: Self.administration)
        return try await store.createEvent(venue: caller.organisation, region: region, details, by: caller.actor) { event in
            try await append(changed(event, .created, caller, decision))
        }
    }

    /// Replaces the details of a draft or returned event of the caller's venue.
    public func updateEvent(_ caller: TrialsCaller, _ id: Int64, _ details: EventDetails) async throws -> TrialEvent {
        let current = try await ownEvent(caller, id)
        let decision = try await decide(caller, "update", Self.eventResource(current), fields: Self.eventFields, purpose: Self.administration)
        return try await store.updateEvent(id, venue: caller.organisation, details) { event in
            try await append(changed(event, .updated, caller, decision))
        }
    }

    /// Names the mentor running an event of the caller's venue.
    public func assignMentor(_ caller: TrialsCaller, _ id: Int64, mentor: String) async throws -> TrialEvent {
        let current = try await ownEvent(caller, id)
        let decision = try await decide(caller, "update", Self.eventResource(current), fields: ["schedule"], purpose: Self.administration)
        return try await store.assignMentor(id, venue: caller.organisation, mentor: mentor) { event in
            try await append(changed(event, .mentorAssigned, caller, decision))
        }
    }

    /// Submits an event of the caller's venue to the region's coordinator.
    public func submit(_ caller: TrialsCaller, _ id: Int64) async throws -> TrialEvent {
        let current = try await ownEvent(caller, id)
        let decision = try await decide(caller, "update", Self.eventResource(current), fields: Self.eventFields, purpose: Self.administration)
        return try await store.submit(id, venue: caller.organisation) { event in
            try await append(changed(event, .submitted, caller, decision))
        }
    }

    /// The events of the caller's venue.
    public func venueEvents(_ caller: TrialsCaller) async throws -> [TrialEvent] {
        _ = try await decide(caller, "read", venueResource(caller), fields: Self.eventFields, purpose: Self.administration)
        return try await store.events(venue: caller.organisation)
    }

    /// The event `id` of the caller's venue, decided as ``venueEvents(_:)`` decides the list
    /// (`read` for `administration`, refused `403` audited); another venue's event or an unknown
    /// id is `404 event-not-found`. However old the event, no list is loaded.
    public func venueEvent(_ caller: TrialsCaller, _ id: Int64) async throws -> TrialEvent {
        _ = try await decide(caller, "read", venueResource(caller), fields: Self.eventFields, purpose: Self.administration)
        return try await ownEvent(caller, id)
    }

    // MARK: Coordinators

    /// The submitted events of the coordinator's region the policy lets it approve.
    public func submittedEvents(_ caller: TrialsCaller) async throws -> [TrialEvent] {
        guard caller.role == .regionalCoordinator, let region = caller.region else {
            try await deny(caller, "read", resource: "event", rule: "trials.coordinators-only", purpose: Self.administration)
        }
        var permitted: [TrialEvent] = []
        for event in try await store.events(region: region, status: .submitted)
        where try await decision(caller, "approve", Self.eventResource(event), fields: [], purpose: Self.administration).isAllowed {
            permitted.append(event)
        }
        return permitted
    }

    /// Approves (`reason` nil) or returns (with a reason) a submitted event. A venue (or one of its
    /// mentors) deciding its OWN event is refused `403 self-approval` (audited); every other refused
    /// caller (a venue or mentor of another venue, a coordinator of another region, any other role)
    /// gets `404 event-not-found`, the answer of an unknown id, so event ids are no existence oracle
    /// (the refusal is still audited, `policy.decided` deny).
    public func decide(_ caller: TrialsCaller, _ id: Int64, approve: Bool, reason: String?) async throws -> TrialEvent {
        guard let current = try await store.event(id) else { throw TrialsError(.eventNotFound, "no such event") }
        let decision = try await decision(caller, "approve", Self.eventResource(current), fields: [], purpose: Self.administration)
        guard decision.isAllowed else {
            try await recordDenial(caller, "approve", resource: "event", rule: decision.decidingRules.first, version: decision.policyVersion.digest, purpose: Self.administration)
            if caller.role == .venue || caller.role == .mentor, current.venue == caller.organisation {
                throw TrialsError(.selfApproval, "venues do not approve events")
            }
            throw TrialsError(.eventNotFound, "no such event")
        }
        guard let region = caller.region else { throw TrialsError(.eventNotFound, "no such event") }
        return try await store.decide(id, region: region, approve: approve, reason: reason, by: caller.actor) { event in
            try await append(changed(event, approve ? .approved : .returned, caller, decision))
        }
    }

    // MARK: Navigators

    /// The approved event `id`, if the navigator may enrol pupils in it (404 otherwise).
    public func enrollableEvent(_ caller: TrialsCaller, _ id: Int64) async throws -> TrialEvent {
        guard let event = try await store.event(id), event.status == .approved else {
            throw TrialsError(.eventNotFound, "no such event")
        }
        let decision = try await decision(caller, "read", Self.eventResource(event), fields: Self.eventFields, purpose: Self.enrolment)
        guard decision.isAllowed else {
            try await recordDenial(caller, "read", resource: "event", rule: decision.decidingRules.first, version: decision.policyVersion.digest, purpose: Self.enrolment)
            throw TrialsError(.eventNotFound, "no such event")
        }
        return event
    }

    /// The approved events of the navigator's region that have not ended (compared in SQL:
    /// ``TrialsStore/approvedEvents(region:endingAfter:)``), each permitted to the caller by the
    /// policy (`read` of the event's `title`, `place`, `schedule` and `capacity` for `enrolment`,
    /// as ``enrollableEvent(_:_:)`` decides one; a refused event is left out), soonest first, as
    /// the navigator may see them (``EnrollableEvent``: those fields only). Navigators only;
    /// anyone else is refused `403` (audited).
    public func enrollableEvents(_ caller: TrialsCaller, now: Date = Date()) async throws -> [EnrollableEvent] {
        guard caller.role == .navigator, let region = caller.region else {
            try await deny(caller, "read", resource: "event", rule: "trials.navigators-only", purpose: Self.enrolment)
        }
        var permitted: [EnrollableEvent] = []
        for event in try await store.approvedEvents(region: region, endingAfter: now) {
            if try await decision(caller, "read", Self.eventResource(event), fields: Self.eventFields, purpose: Self.enrolment, now: now, event: event).isAllowed {
                permitted.append(EnrollableEvent(event))
            }
        }
        return permitted
    }

    /// Enrols the pupil `pupil` (already translated under the navigator's policy by the vault) in
    /// `event`: seated or waiting, audited (`trials.enrolment_changed`) before it commits.
    public func enrol(_ caller: TrialsCaller, _ pupil: TrialsToken, in event: TrialEvent, now: Date = Date()) async throws -> EnrolmentOutcome {
        let version = policies.current.version.digest
        // Counted in the KPI under the navigator's school (enrolling is a navigator's action).
        let school = caller.role == .navigator ? caller.organisation : nil
        return try await store.enrol(pupil, in: event.id, by: caller.actor, school: school, now: now) { outcome in
            try await append(
                TrialsEnrolmentChanged(
                    actor: caller.actor, subject: pupil.rawValue, eventID: "event:\(event.id)", change: .enrolled,
                    state: outcome.enrolment.state.rawValue, waitingPosition: outcome.enrolment.waitingPosition, purpose: Self.enrolment,
                    policyVersion: version))
        }
    }

    /// Cancels the pupil's enrolment; the promoted pupil's seat is audited too.
    public func cancel(_ caller: TrialsCaller, _ pupil: TrialsToken, in event: TrialEvent) async throws -> Cancellation {
        let version = policies.current.version.digest
        return try await store.cancel(pupil, in: event.id) { cancellation in
            var records: [any TypedAuditEvent] = [
                TrialsEnrolmentChanged(
                    actor: caller.actor, subject: pupil.rawValue, eventID: "event:\(event.id)", change: .cancelled,
                    state: cancellation.was.rawValue, waitingPosition: nil, purpose: Self.enrolment, policyVersion: version)
            ]
            if let promoted = cancellation.promoted {
                records.append(
                    TrialsEnrolmentChanged(
                        actor: caller.actor, subject: promoted.rawValue, eventID: "event:\(event.id)", change: .promoted,
                        state: Enrolment.State.seated.rawValue, waitingPosition: nil, purpose: Self.enrolment, policyVersion: version))
            }
            try await append(records)
        }
    }

    // MARK: Mentors

    /// The event `id` if the caller runs it now (from its start until 7 days after its end), for
    /// `purpose`; `404 event-not-found` otherwise (audited).
    public func runEvent(_ caller: TrialsCaller, _ id: Int64, purpose: String, now: Date = Date()) async throws -> TrialEvent {
        guard let event = try await store.event(id), event.status == .approved else { throw TrialsError(.eventNotFound, "no such event") }
        let decision = try await decision(caller, "read", Self.eventResource(event), fields: ["title"], purpose: purpose, now: now)
        guard decision.isAllowed else {
            try await recordDenial(caller, "read", resource: "event", rule: decision.decidingRules.first, version: decision.policyVersion.digest, purpose: purpose)
            throw TrialsError(.eventNotFound, "no such event")
        }
        return event
    }

    /// Marks a seated pupil of an event the caller runs; `403` outside the window (audited),
    /// `409 not-enrolled` for a pupil without a seat.
    public func mark(_ caller: TrialsCaller, _ mark: AttendanceMark, now: Date = Date()) async throws {
        guard let event = try await store.event(mark.event) else { throw TrialsError(.eventNotFound, "no such event") }
        let purpose = mark.grade == nil && mark.feedback == nil ? Self.eventAttendance : Self.trialFeedback
        var fields = ["attended"]
        if mark.grade != nil { fields.append("grade") }
        if mark.feedback != nil { fields.append("feedback") }
        let written = fields
        let resource = Resource(
            type: "attendance", id: "\(mark.pupil.rawValue)@\(event.id)",
            attributes: [
                "pupil": .entity(EntityRef("pupil", mark.pupil.rawValue)), "event": .entity(EntityRef("event", String(event.id))),
                "region": .entity(EntityRef("region", event.region)),
            ])
        let decision = try await decision(caller, "update", resource, fields: fields, purpose: purpose, now: now, event: event)
        guard decision.isAllowed else {
            try await recordDenial(caller, "update", resource: "attendance", rule: decision.decidingRules.first, version: decision.policyVersion.digest, purpose: purpose)
            throw TrialsError(.eventNotFound, "no such event")
        }
        try await store.mark(mark, by: caller.account) { mark in
            try await append(
                TrialsAttendanceMarked(
                    actor: caller.actor, subject: mark.pupil.rawValue, eventID: "event:\(mark.event)", fields: written, purpose: purpose,
                    policyVersion: decision.policyVersion.digest))
        }
    }

    // MARK: Policy

    /// The event's fields the policy names: what a venue writes, and all a navigator reads
    /// (`navigator.events.own-region`; ``EnrollableEvent`` carries exactly these).
    static let eventFields = ["title", "place", "schedule", "capacity"]

    /// The policy resource of an event: its venue and region.
    public static func eventResource(_ event: TrialEvent) -> Resource {
        Resource(
            type: "event", id: String(event.id),
            attributes: ["venue": .entity(EntityRef("venue", event.venue)), "region": .entity(EntityRef("region", event.region))])
    }

    /// An event of the caller's venue not created yet (for create and list decisions).
    func venueResource(_ caller: TrialsCaller) -> Resource {
        Resource(
            type: "event", id: "new",
            attributes: [
                "venue": .entity(EntityRef("venue", caller.organisation)), "region": .entity(EntityRef("region", caller.region ?? "")),
            ])
    }

    /// The event `id` of the caller's venue, or `404 event-not-found`.
    func ownEvent(_ caller: TrialsCaller, _ id: Int64) async throws -> TrialEvent {
        guard let event = try await store.event(id), caller.role == .venue, event.venue == caller.organisation else {
            throw TrialsError(.eventNotFound, "no such event")
        }
        return event
    }

    /// The relationship facts the module itself knows: the mentor the venue named runs the event
    /// from its start to its end.
    static func relationships(_ event: TrialEvent?) -> InMemoryRelationships {
        guard let event, let mentor = event.details.mentor else { return InMemoryRelationships() }
        return InMemoryRelationships([
            Relationship(
                "run_by", subject: EntityRef("event", String(event.id)), object: EntityRef("user", mentor),
                validFrom: timestamp(event.details.startsAt), validUntil: timestamp(event.details.endsAt))
        ])
    }

    static func timestamp(_ date: Date) -> Timestamp {
        Timestamp(secondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    func decision(
        _ caller: TrialsCaller, _ action: String, _ resource: Resource, fields: [String], purpose: String, now: Date = Date(),
        event: TrialEvent? = nil
    ) async throws -> Decision {
        var known = event
        if known == nil, resource.type == "event", let id = Int64(resource.entity.id) { known = try await store.event(id) }
        return await policies.decide(
            PolicyRequest(
                principal: caller.principal, action: action, resource: resource, fields: fields, purpose: purpose,
                time: Self.timestamp(now)),
            relationships: Self.relationships(known))
    }

    /// The policy's permit; a refusal is audited and thrown as `403 forbidden`.
    func decide(_ caller: TrialsCaller, _ action: String, _ resource: Resource, fields: [String], purpose: String) async throws -> Decision {
        let decision = try await decision(caller, action, resource, fields: fields, purpose: purpose)
        guard decision.isAllowed else {
            try await deny(caller, action, resource: resource.type, rule: decision.decidingRules.first, purpose: purpose)
        }
        return decision
    }

    public func deny(_ caller: TrialsCaller, _ action: String, resource: String, rule: String?, purpose: String) async throws -> Never {
        try await recordDenial(caller, action, resource: resource, rule: rule, version: policies.current.version.digest, purpose: purpose)
        throw TrialsHTTPRefusal.forbidden
    }

    func recordDenial(_ caller: TrialsCaller, _ action: String, resource: String, rule: String?, version: String, purpose: String) async throws {
        do {
            try await log.append(
                PolicyDecided(
                    actor: caller.actor, decision: .deny, purpose: purpose, action: action, resource: resource,
                    rule: rule.flatMap { AuditFieldKind.code.accepts(.string($0)) ? $0 : nil }, policyVersion: version),
                using: recorder)
        } catch {
            throw TrialsError(.recordFailed, "the audit record could not be written")
        }
    }

    func changed(_ event: TrialEvent, _ change: TrialsEventChanged.Change, _ caller: TrialsCaller, _ decision: Decision) -> TrialsEventChanged {
        TrialsEventChanged(
            actor: caller.actor, eventID: "event:\(event.id)", change: change, venue: "bilet://venue/\(event.venue)",
            region: "bilet://region/\(event.region)", status: event.status.rawValue, purpose: Self.administration,
            policyVersion: decision.policyVersion.digest)
    }

    func append(_ record: some TypedAuditEvent) async throws {
        try await log.append(record, using: recorder)
    }

    func append(_ records: [any TypedAuditEvent]) async throws {
        try await recorder.withTransaction { connection in try await log.append(records: records, on: connection) }
    }
}

/// The refusals the trials routes answer themselves.
public enum TrialsHTTPRefusal: Error, HTTPProblemConvertible {
    /// `403 forbidden`: the policy does not permit it (audited).
    case forbidden

    public var problem: Problem {
        Problem.forbidden
    }
}
