public import Accounts
import Foundation
public import Gateway
public import Hummingbird
import Trials
public import VaultDoor

/// The pupil's own events on the pupils' listener with a pupil session: `GET /v1/pupil/events`,
/// the events the pupil is enrolled in (seated or waiting, with the position), soonest first, through
/// ``TrialsDesk/pupilEvents(_:door:now:)``: the pupil's own trials token from the vault's door (rule
/// `pupil.self.trials`), each event shown as the policy allows (rule `pupil.events.own-region`).
public enum PupilTrialsRoutes {
    /// Adds the route to `router`.
    public static func add(to router: Router<BiletRequestContext>, pupils: PupilAccounts, desk: TrialsDesk, door: VaultDoorClient) {
        let own = router.group("/v1/pupil/events").add(middleware: PupilSessionMiddleware(accounts: pupils))
        own.get { _, context -> Response in
            let enrolments = try await desk.pupilEvents(try context.requirePupil(), door: door)
            return JSONBody.response(.ok, PupilEventListAnswer(events: enrolments.map(PupilEventAnswer.init)))
        }
    }
}

/// `GET /v1/pupil/events`.
struct PupilEventListAnswer: Codable, Sendable {
    let events: [PupilEventAnswer]
}

/// One of the pupil's events: what it is, when and where, and the pupil's place in it.
struct PupilEventAnswer: Codable, Sendable {
    let event: Int64
    let title: String
    let kind: String
    let format: String
    let startsAt: Date
    let endsAt: Date
    let placeName: String
    let placeAddress: String
    /// `seated` or `waiting`.
    let state: String
    let waitingPosition: Int?

    init(_ enrolment: EnrolledEvent) {
        event = enrolment.event.id
        title = enrolment.event.details.title
        kind = enrolment.event.details.kind.rawValue
        format = enrolment.event.details.format.rawValue
        startsAt = enrolment.event.details.startsAt
        endsAt = enrolment.event.details.endsAt
        placeName = enrolment.placeName
        placeAddress = enrolment.placeAddress
        state = enrolment.state.rawValue
        waitingPosition = enrolment.waitingPosition
    }
}
