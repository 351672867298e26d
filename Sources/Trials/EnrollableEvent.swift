public import Foundation

/// An approved event as a navigator sees it when enrolling pupils: the id that addresses it and
/// only the fields the policy (`navigator.events.own-region`) releases to a navigator for
/// `enrolment`: `title`, `place` (the place's number), `schedule` (start and end) and `capacity`.
/// Nothing else of the event (its venue, mentor, sphere, competencies, seats taken, return
/// reason) reaches a navigator through it.
public struct EnrollableEvent: Sendable, Hashable {
    public let id: Int64
    public let title: String
    public let place: Int64
    public let startsAt: Date
    public let endsAt: Date
    public let capacity: Int

    /// The navigator's view of `event`.
    public init(_ event: TrialEvent) {
        id = event.id
        title = event.details.title
        place = event.details.place
        startsAt = event.details.startsAt
        endsAt = event.details.endsAt
        capacity = event.details.capacity
    }
}
