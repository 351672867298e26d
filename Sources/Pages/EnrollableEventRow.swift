public import Trials

/// One event open for enrolment as the navigator's pages show it: only what the navigator's API
/// answer carries (``EnrollableEvent``: the fields `navigator.events.own-region` releases), times in
/// Moscow time.
public struct EnrollableEventRow: Sendable, Hashable {
    public let id: Int64
    public let title: String
    public let starts: String
    public let ends: String
    /// The place's number (the navigator is released no place name).
    public let place: String
    public let capacity: Int

    /// The row of `event`.
    public init(_ event: EnrollableEvent) {
        id = event.id
        title = event.title
        starts = RussianFormat.moscowDateTime(event.startsAt)
        ends = RussianFormat.moscowDateTime(event.endsAt)
        place = "№ \(event.place)"
        capacity = event.capacity
    }
}
