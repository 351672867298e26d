import Audit
import Foundation
import Trials
import VaultDoor

/// `POST /v1/trials/places`.
struct PlaceBody: Codable, Sendable {
    var name: String
    var address: String
    var capacity: Int
}

/// A place as answered.
struct PlaceAnswer: Codable, Sendable {
    var id: Int64
    var name: String
    var address: String
    var capacity: Int

    init(_ place: Place) {
        id = place.id
        name = place.name
        address = place.address
        capacity = place.capacity
    }
}

/// `{places: […]}`.
struct PlaceListAnswer: Codable, Sendable {
    var places: [PlaceAnswer]
}

/// `POST /v1/trials/mentors`, `PUT /v1/trials/events/{event}/mentor`: `{account: "usr_…"}`.
struct MentorBody: Codable, Sendable {
    var account: String
}

/// `{mentors: ["usr_…"]}`.
struct MentorListAnswer: Codable, Sendable {
    var mentors: [String]
}

/// An event as a venue writes it (`POST /v1/trials/events`, `PUT /v1/trials/events/{event}`).
struct EventBody: Codable, Sendable {
    var kind: String
    var title: String
    /// ISO 8601 (`2026-12-10T09:00:00Z`).
    var startsAt: String
    var endsAt: String
    var place: Int64
    var capacity: Int
    var sphere: String
    var competencies: [String]?
    var format: String
    var mentor: String?

    /// The details, or `400 invalid-event`.
    func details() throws(TrialsError) -> EventDetails {
        guard let kind = TrialEvent.Kind(rawValue: kind) else { throw TrialsError(.invalidArgument, "kind is trial or mass_event") }
        guard let format = TrialEvent.Format(rawValue: format) else { throw TrialsError(.invalidArgument, "format is in_person or online") }
        guard let start = AuditTime.parse(startsAt), let end = AuditTime.parse(endsAt) else {
            throw TrialsError(.invalidArgument, "startsAt and endsAt are ISO 8601 times")
        }
        return EventDetails(
            kind: kind, title: title, startsAt: start, endsAt: end, place: place, capacity: capacity, sphere: sphere,
            competencies: competencies ?? [], format: format, mentor: mentor)
    }
}

/// An event as answered.
struct EventAnswer: Codable, Sendable {
    var id: Int64
    var venue: String
    var region: String
    var kind: String
    var title: String
    var startsAt: String
    var endsAt: String
    var place: Int64
    var capacity: Int
    var sphere: String
    var competencies: [String]
    var format: String
    var mentor: String?
    var status: String
    var returnReason: String?
    var seated: Int

    init(_ event: TrialEvent) {
        id = event.id
        venue = event.venue
        region = event.region
        kind = event.details.kind.rawValue
        title = event.details.title
        startsAt = event.details.startsAt.ISO8601Format()
        endsAt = event.details.endsAt.ISO8601Format()
        place = event.details.place
        capacity = event.details.capacity
        sphere = event.details.sphere
        competencies = event.details.competencies
        format = event.details.format.rawValue
        mentor = event.details.mentor
        status = event.status.rawValue
        returnReason = event.returnReason
        seated = event.seated
    }
}

/// `{events: […]}`.
struct EventListAnswer: Codable, Sendable {
    var events: [EventAnswer]
}

/// An event as answered to a navigator (``EnrollableEvent``): only the fields the policy releases
/// to it for `enrolment` (`title`, `place`, `schedule` as `startsAt` and `endsAt`, `capacity`)
/// and the id.
struct EnrollableEventAnswer: Codable, Sendable {
    var id: Int64
    var title: String
    var place: Int64
    var startsAt: String
    var endsAt: String
    var capacity: Int

    init(_ event: EnrollableEvent) {
        id = event.id
        title = event.title
        place = event.place
        startsAt = event.startsAt.ISO8601Format()
        endsAt = event.endsAt.ISO8601Format()
        capacity = event.capacity
    }
}

/// `{events: […]}` as a navigator gets it.
struct EnrollableEventListAnswer: Codable, Sendable {
    var events: [EnrollableEventAnswer]
}

/// `POST /v1/trials/events/{event}/return`: `{reason}`.
struct ReturnBody: Codable, Sendable {
    var reason: String
}

/// `POST /v1/trials/events/{event}/enrolments`: `{pupil: "vlt_…"}` (the pupil's vault token).
struct EnrolBody: Codable, Sendable {
    var pupil: String
}

/// An enrolment as the navigator sees it: the state, never the trials token.
struct EnrolmentAnswer: Codable, Sendable {
    var event: Int64
    var state: String
    var waitingPosition: Int?
}

/// `DELETE /v1/trials/events/{event}/enrolments/{pupil}`.
struct CancellationAnswer: Codable, Sendable {
    var event: Int64
    /// The state the enrolment had.
    var was: String
    /// Whether a waiting pupil got the freed seat.
    var promoted: Bool
}

/// `GET /v1/trials/events/{event}/seats`: the counts.
struct SeatsAnswer: Codable, Sendable {
    var event: Int64
    var capacity: Int
    var seated: Int
    var waiting: Int
    /// The caller's own enrolments in it (states and places in line).
    var yours: [EnrolmentAnswer]
}

/// `PUT /v1/trials/events/{event}/attendance/{pupil}`.
struct MarkBody: Codable, Sendable {
    var attended: Bool
    var grade: Int?
    var feedback: String?
}

/// One row of the mentor's attendance list.
public struct AttendanceRow: Codable, Sendable {
    /// The pupil's trials token (how the mentor marks them).
    public var pupil: String
    public var firstName: String?
    /// The surname's initial, as the policy releases it.
    public var surname: String?
    /// Why no name is shown (`forbidden`, `consent-missing`, …).
    public var nameWithheld: String?
    public var attended: Bool?
    public var grade: Int?
    public var feedback: String?
}

/// `{event, pupils: […]}`.
public struct AttendanceAnswer: Codable, Sendable {
    public var event: Int64
    /// Seated pupils in all.
    public var seated: Int
    /// The first row's position in the list.
    public var offset: Int
    /// The offset of the next page; absent on the last.
    public var next: Int?
    public var pupils: [AttendanceRow]
}
