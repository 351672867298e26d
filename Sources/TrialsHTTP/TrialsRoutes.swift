public import Accounts
import Foundation
public import Gateway
public import Hummingbird
public import HTTPTypes
import Tokens
public import Trials
public import VaultDoor
import VaultHTTP

/// The trials and events routes (`/v1/trials/…`), behind a staff session on an mTLS workstation:
///
/// - venue: `POST|GET /v1/trials/places`, `POST|GET /v1/trials/mentors`, `POST|GET /v1/trials/events`,
///   `PUT /v1/trials/events/{event}`, `PUT /v1/trials/events/{event}/mentor` (the vault records
///   `run_by`), `POST /v1/trials/events/{event}/submit`;
/// - regional coordinator: `GET /v1/trials/events?status=submitted` (its region),
///   `POST /v1/trials/events/{event}/approve`, `POST /v1/trials/events/{event}/return` `{reason}`;
///   a venue approving its own event is `403 self-approval`, any other refused caller `404
///   event-not-found` as for an unknown id (both audited);
/// - navigator: `GET /v1/trials/events` (the approved events of its region open for enrolment),
///   `POST /v1/trials/events/{event}/enrolments` `{pupil: vault token}` (the vault
///   decides `create enrolment` and translates to the trials token; seated `201` or waiting
///   `202`; again: `200` as it stands), `DELETE /v1/trials/events/{event}/enrolments/{pupil}`
///   (the first waiting pupil is promoted), `GET /v1/trials/events/{event}/seats`;
/// - mentor: `GET /v1/trials/events` (the events it runs), `GET /v1/trials/events/{event}/attendance`
///   (names through the vault's door, purpose `event_attendance`, as policy and consent release
///   them), `PUT /v1/trials/events/{event}/attendance/{pupil}` `{attended, grade, feedback}`.
public enum TrialsRoutes {
    /// The largest body accepted, in bytes.
    public static let maximumRequestBytes = 16 * 1024

    /// What the routes need.
    public struct Dependencies: Sendable {
        public let sessions: StaffSessions
        public let desk: TrialsDesk
        public let door: VaultDoorClient
        /// Whether the account is a mentor account of the venue (`usr_…`, venue id), from the accounts.
        public let isMentor: @Sendable (String, String) async throws -> Bool

        /// Collects the dependencies.
        public init(
            sessions: StaffSessions, desk: TrialsDesk, door: VaultDoorClient, isMentor: @escaping @Sendable (String, String) async throws -> Bool
        ) {
            self.sessions = sessions
            self.desk = desk
            self.door = door
            self.isMentor = isMentor
        }
    }

    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>, _ dependencies: Dependencies) {
        let desk = dependencies.desk
        let group = router.group("/v1/trials").add(middleware: StaffSessionMiddleware(sessions: dependencies.sessions))

        // MARK: Venue
        group.post("places") { request, context -> Response in
            let caller = try caller(context, desk)
            let body = try await JSONBody.decode(PlaceBody.self, from: request, limit: maximumRequestBytes)
            let place = try await desk.addPlace(caller, name: body.name, address: body.address, capacity: body.capacity)
            return JSONBody.response(.created, PlaceAnswer(place))
        }
        group.get("places") { _, context -> Response in
            let caller = try caller(context, desk)
            return JSONBody.response(.ok, PlaceListAnswer(places: try await desk.places(caller).map(PlaceAnswer.init)))
        }
        group.post("mentors") { request, context -> Response in
            let caller = try caller(context, desk)
            let body = try await JSONBody.decode(MentorBody.self, from: request, limit: maximumRequestBytes)
            try await addMentor(caller, account: body.account, dependencies)
            return JSONBody.response(.created, MentorBody(account: body.account))
        }
        group.get("mentors") { _, context -> Response in
            let caller = try caller(context, desk)
            return JSONBody.response(.ok, MentorListAnswer(mentors: try await desk.mentors(caller)))
        }
        group.post("events") { request, context -> Response in
            let caller = try caller(context, desk)
            let body = try await JSONBody.decode(EventBody.self, from: request, limit: maximumRequestBytes)
            let event = try await createEvent(caller, try body.details(), session: try context.requireStaff(), dependencies)
            return JSONBody.response(.created, EventAnswer(event))
        }
        group.get("events") { request, context -> Response in
            let caller = try caller(context, desk)
            let status = request.uri.queryParameters["status"].map(String.init)
            if caller.role == .navigator {
                let events = try await enrollableEvents(caller, status: status, desk)
                return JSONBody.response(.ok, EnrollableEventListAnswer(events: events.map(EnrollableEventAnswer.init)))
            }
            let events = try await TrialsRoutes.events(caller, status: status, desk)
            return JSONBody.response(.ok, EventListAnswer(events: events.map(EventAnswer.init)))
        }
        group.put("events/:event") { request, context -> Response in
            let caller = try caller(context, desk)
            let body = try await JSONBody.decode(EventBody.self, from: request, limit: maximumRequestBytes)
            let event = try await updateEvent(caller, try eventID(context), try body.details(), session: try context.requireStaff(), dependencies)
            return JSONBody.response(.ok, EventAnswer(event))
        }
        group.put("events/:event/mentor") { request, context -> Response in
            let caller = try caller(context, desk)
            let body = try await JSONBody.decode(MentorBody.self, from: request, limit: maximumRequestBytes)
            let event = try await assignMentor(caller, try eventID(context), mentor: body.account, session: try context.requireStaff(), dependencies)
            return JSONBody.response(.ok, EventAnswer(event))
        }
        group.post("events/:event/submit") { _, context -> Response in
            let caller = try caller(context, desk)
            let event = try await submit(caller, try eventID(context), session: try context.requireStaff(), dependencies)
            return JSONBody.response(.ok, EventAnswer(event))
        }

        // MARK: Coordinator
        group.post("events/:event/approve") { _, context -> Response in
            let caller = try caller(context, desk)
            let event = try await desk.decide(caller, try eventID(context), approve: true, reason: nil)
            return JSONBody.response(.ok, EventAnswer(event))
        }
        group.post("events/:event/return") { request, context -> Response in
            let caller = try caller(context, desk)
            let body = try await JSONBody.decode(ReturnBody.self, from: request, limit: maximumRequestBytes)
            let event = try await desk.decide(caller, try eventID(context), approve: false, reason: body.reason)
            return JSONBody.response(.ok, EventAnswer(event))
        }

        // MARK: Navigator
        group.post("events/:event/enrolments") { request, context -> Response in
            let caller = try caller(context, desk)
            let body = try await JSONBody.decode(EnrolBody.self, from: request, limit: maximumRequestBytes)
            let enrolled = try await enrol(caller, try eventID(context), pupil: body.pupil, session: try context.requireStaff(), dependencies)
            return JSONBody.response(
                enrolled.status,
                EnrolmentAnswer(event: enrolled.event.id, state: enrolled.enrolment.state.rawValue, waitingPosition: enrolled.enrolment.waitingPosition))
        }
        group.delete("events/:event/enrolments/:pupil") { _, context -> Response in
            let caller = try caller(context, desk)
            let (event, cancellation) = try await cancel(
                caller, try eventID(context), pupil: context.parameters.get("pupil") ?? "", session: try context.requireStaff(), dependencies)
            return JSONBody.response(
                .ok, CancellationAnswer(event: event.id, was: cancellation.was.rawValue, promoted: cancellation.promoted != nil))
        }
        group.get("events/:event/seats") { _, context -> Response in
            let (event, standing) = try await seats(try caller(context, desk), try eventID(context), desk)
            let yours = standing.own.map { EnrolmentAnswer(event: event.id, state: $0.state.rawValue, waitingPosition: $0.waitingPosition) }
            return JSONBody.response(
                .ok, SeatsAnswer(event: event.id, capacity: event.details.capacity, seated: standing.seated, waiting: standing.waiting, yours: yours))
        }

        // MARK: Mentor
        group.get("events/:event/attendance") { request, context -> Response in
            let caller = try caller(context, desk)
            let query = request.uri.queryParameters
            let page = try AttendancePage(offset: query["offset"], limit: query["limit"])
            let answer = try await attendance(
                caller, try eventID(context), offset: page.offset, limit: page.limit, session: try context.requireStaff(), dependencies)
            return JSONBody.response(.ok, answer)
        }
        group.put("events/:event/attendance/:pupil") { request, context -> Response in
            let caller = try caller(context, desk)
            let body = try await JSONBody.decode(MarkBody.self, from: request, limit: maximumRequestBytes)
            guard let pupil = context.parameters.get("pupil").flatMap(TrialsToken.init) else {
                throw TrialsError(.notEnrolled, "the pupil is not enrolled in the event")
            }
            let id = try eventID(context)
            try await desk.mark(caller, AttendanceMark(event: id, pupil: pupil, attended: body.attended, grade: body.grade, feedback: body.feedback))
            return Response(status: .noContent)
        }
    }

    // MARK: Calls (the routes' and the pages' one path)

    /// The events `caller` sees, as `GET /v1/trials/events` lists them: a venue its own, a
    /// coordinator its region's submitted ones (`status` absent or `submitted`), a mentor the ones
    /// it runs. A navigator lists through ``enrollableEvents(_:status:_:)`` (fewer fields); anyone
    /// else is refused `403` (audited).
    public static func events(_ caller: TrialsCaller, status: String?, _ desk: TrialsDesk) async throws -> [TrialEvent] {
        switch caller.role {
        case .venue: return try await desk.venueEvents(caller)
        case .regionalCoordinator:
            guard status ?? "submitted" == "submitted" else { throw TrialsError(.invalidArgument, "status is submitted") }
            return try await desk.submittedEvents(caller)
        case .mentor: return try await desk.store.events(runBy: caller.account)
        default: try await desk.deny(caller, "read", resource: "event", rule: "trials.no-listing", purpose: TrialsDesk.administration)
        }
    }

    /// The approved events of the navigator's region still open for enrolment, as
    /// `GET /v1/trials/events` lists them for a navigator (`status` absent or `approved`, else
    /// `400 invalid-event` as for a coordinator): each decided by the policy as `GET …/seats`
    /// decides one, with only the fields the policy releases (``EnrollableEvent``). Anyone else is
    /// refused `403` (audited).
    public static func enrollableEvents(_ caller: TrialsCaller, status: String?, _ desk: TrialsDesk) async throws -> [EnrollableEvent] {
        guard status ?? "approved" == "approved" else { throw TrialsError(.invalidArgument, "status is approved") }
        return try await desk.enrollableEvents(caller)
    }

    /// Registers `account` as a mentor of the caller's venue (`POST /v1/trials/mentors`): the
    /// accounts say whether it is a mentor account of that venue, the desk decides and audits.
    public static func addMentor(_ caller: TrialsCaller, account: String, _ dependencies: Dependencies) async throws {
        let isMentor = caller.role == .venue ? try await dependencies.isMentor(account, caller.organisation) : false
        try await dependencies.desk.addMentor(caller, account: account, isMentor: isMentor)
    }

    /// Creates a draft event of the caller's venue (`POST /v1/trials/events`) and tells the vault
    /// who runs it.
    public static func createEvent(
        _ caller: TrialsCaller, _ details: EventDetails, session: StaffSession, _ dependencies: Dependencies
    ) async throws -> TrialEvent {
        let event = try await dependencies.desk.createEvent(caller, details)
        try await recordRunBy(event, session, dependencies)
        return event
    }

    /// Replaces the details of a draft or returned event of the caller's venue
    /// (`PUT /v1/trials/events/{event}`; the event becomes a draft again) and tells the vault who
    /// runs it.
    public static func updateEvent(
        _ caller: TrialsCaller, _ id: Int64, _ details: EventDetails, session: StaffSession, _ dependencies: Dependencies
    ) async throws -> TrialEvent {
        let event = try await dependencies.desk.updateEvent(caller, id, details)
        try await recordRunBy(event, session, dependencies)
        return event
    }

    /// Names or changes the mentor running an event of the caller's venue, whatever its status
    /// (`PUT /v1/trials/events/{event}/mentor`), and tells the vault who runs it.
    public static func assignMentor(
        _ caller: TrialsCaller, _ id: Int64, mentor: String, session: StaffSession, _ dependencies: Dependencies
    ) async throws -> TrialEvent {
        let event = try await dependencies.desk.assignMentor(caller, id, mentor: mentor)
        try await recordRunBy(event, session, dependencies)
        return event
    }

    /// Submits an event of the caller's venue to the region's coordinator
    /// (`POST /v1/trials/events/{event}/submit`) and tells the vault who runs it.
    public static func submit(_ caller: TrialsCaller, _ id: Int64, session: StaffSession, _ dependencies: Dependencies) async throws -> TrialEvent {
        let event = try await dependencies.desk.submit(caller, id)
        try await recordRunBy(event, session, dependencies)
        return event
    }

    /// What an enrolment came to: the event, the enrolment as it stands, and the API's status
    /// (`201` seated, `202` waiting, `200` when the pupil was enrolled already).
    public struct Enrolled: Sendable {
        public let event: TrialEvent
        public let enrolment: Enrolment
        public let status: HTTPResponse.Status
    }

    /// Enrols the navigator's pupil `pupil` (vault token) in the approved event `id`
    /// (`POST /v1/trials/events/{event}/enrolments`): the event decided for the caller, the pupil's
    /// trials token from the vault's door (`create enrolment`: the navigator's assignment, consent,
    /// audit), the seat or the waiting list, and the vault told of a seat taken.
    public static func enrol(
        _ caller: TrialsCaller, _ id: Int64, pupil: String, session: StaffSession, _ dependencies: Dependencies
    ) async throws -> Enrolled {
        let desk = dependencies.desk
        let event = try await desk.enrollableEvent(caller, id)
        let token = try await trialsToken(pupil, event, action: "create", session: session, dependencies)
        let outcome = try await desk.enrol(caller, token, in: event)
        if outcome.enrolment.state == .seated {
            try await seats(event, seated: [token], released: [], session: session, dependencies)
        }
        let status: HTTPResponse.Status = !outcome.created ? .ok : (outcome.enrolment.state == .seated ? .created : .accepted)
        return Enrolled(event: event, enrolment: outcome.enrolment, status: status)
    }

    /// Cancels the enrolment of the navigator's pupil `pupil` (vault token) in the event `id`
    /// (`DELETE /v1/trials/events/{event}/enrolments/{pupil}`): the first waiting pupil gets the
    /// freed seat, and the vault ends the pupil's facts of the event; `409 not-enrolled` when the
    /// pupil holds no enrolment in it.
    public static func cancel(
        _ caller: TrialsCaller, _ id: Int64, pupil: String, session: StaffSession, _ dependencies: Dependencies
    ) async throws -> (TrialEvent, Cancellation) {
        let desk = dependencies.desk
        let event = try await desk.enrollableEvent(caller, id)
        let token = try await trialsToken(pupil, event, action: "delete", session: session, dependencies)
        let cancellation: Cancellation
        do {
            cancellation = try await desk.cancel(caller, token, in: event)
        } catch let error as TrialsError where error.code == .notEnrolled {
            // A retry after the vault could not be told: make sure the fact is ended too.
            try await seats(event, seated: [], released: [token], session: session, dependencies)
            throw error
        }
        // Released whether seated or waiting: the vault ends the pupil's facts of the event either way.
        try await seats(event, seated: cancellation.promoted.map { [$0] } ?? [], released: [token], session: session, dependencies)
        return (event, cancellation)
    }

    /// The seats of the approved event `id` as its navigator sees them (`GET …/seats`): the counts
    /// and the caller's own enrolments (states and places in line, never a pupil's token).
    public static func seats(_ caller: TrialsCaller, _ id: Int64, _ desk: TrialsDesk) async throws -> (TrialEvent, SeatStanding) {
        let event = try await desk.enrollableEvent(caller, id)
        return (event, try await desk.store.seats(in: event.id, enrolledBy: caller.actor))
    }

    /// One page of the attendance list of an event the caller runs
    /// (`GET /v1/trials/events/{event}/attendance`): the seated pupils from the module, their names
    /// through the vault's door (purpose `event_attendance`, as policy and consent release them,
    /// audited per pupil shown), the marks.
    public static func attendance(
        _ caller: TrialsCaller, _ id: Int64, offset: Int, limit: Int, session: StaffSession, _ dependencies: Dependencies
    ) async throws -> AttendanceAnswer {
        let desk = dependencies.desk
        let event = try await desk.runEvent(caller, id, purpose: TrialsDesk.eventAttendance)
        let seated = try await desk.store.seated(in: event.id, offset: offset, limit: limit)
        var names: [String: AttendanceName] = [:]
        if !seated.isEmpty {
            let answer = try await DoorCalls.call(
                dependencies.door,
                .trials(
                    .attendanceNames(event: String(event.id), pupils: seated.map(\.pupil.rawValue)), caller: DoorCalls.caller(for: session)))
            guard case .trials(.names(let list)) = answer else { throw Problem.internalError }
            for name in list { names[name.pupil] = name }
        }
        let rows = seated.map { seat in
            let name = names[seat.pupil.rawValue]
            return AttendanceRow(
                pupil: seat.pupil.rawValue, firstName: name?.firstName, surname: name?.surname,
                nameWithheld: name == nil ? "internal" : name?.refusal, attended: seat.mark?.attended, grade: seat.mark?.grade,
                feedback: seat.mark?.feedback)
        }
        let next = offset + rows.count < event.seated && rows.count == limit ? offset + rows.count : nil
        return AttendanceAnswer(event: event.id, seated: event.seated, offset: offset, next: next, pupils: rows)
    }

    // MARK: Helpers

    static func caller(_ context: BiletRequestContext, _ desk: TrialsDesk) throws -> TrialsCaller {
        try TrialsCaller(session: try context.requireStaff(), schema: desk.policies.current.schema)
    }

    static func eventID(_ context: BiletRequestContext) throws(TrialsError) -> Int64 {
        guard let id = context.parameters.get("event").flatMap(Int64.init), id > 0 else {
            throw TrialsError(.eventNotFound, "no such event")
        }
        return id
    }

    /// The trials token of the navigator's pupil, through the vault (policy, consent, audit).
    static func trialsToken(
        _ pupil: String, _ event: TrialEvent, action: String, session: StaffSession, _ dependencies: Dependencies
    ) async throws -> TrialsToken {
        let answer = try await DoorCalls.call(
            dependencies.door,
            .trials(
                .enrolmentToken(pupil: pupil, event: String(event.id), region: event.region, action: action),
                caller: DoorCalls.caller(for: session)))
        guard case .trials(.token(let text)) = answer, let token = TrialsToken(text) else { throw Problem.internalError }
        return token
    }

    /// Tells the vault which seats were taken and freed (`enrolled_in` facts).
    static func seats(
        _ event: TrialEvent, seated: [TrialsToken], released: [TrialsToken], session: StaffSession, _ dependencies: Dependencies
    ) async throws {
        guard !seated.isEmpty || !released.isEmpty else { return }
        _ = try await DoorCalls.call(
            dependencies.door,
            .trials(
                .seats(
                    event: String(event.id), endsAt: event.details.endsAt.ISO8601Format(), seated: seated.map(\.rawValue),
                    released: released.map(\.rawValue)),
                caller: DoorCalls.caller(for: session)))
    }

    /// Tells the vault who runs the event (`run_by` fact), or that no one does (every `run_by` of the
    /// event expired).
    static func recordRunBy(_ event: TrialEvent, _ session: StaffSession, _ dependencies: Dependencies) async throws {
        let mentor = event.details.mentor
        _ = try await DoorCalls.call(
            dependencies.door,
            .trials(
                .runBy(
                    event: String(event.id), mentor: mentor, startsAt: event.details.startsAt.ISO8601Format(),
                    endsAt: event.details.endsAt.ISO8601Format()),
                caller: DoorCalls.caller(for: session)))
    }
}
