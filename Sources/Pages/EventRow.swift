public import Trials

/// An event as the venue's, the coordinator's and the mentor's pages list it, in Russian: dates
/// `ДД.ММ.ГГГГ ЧЧ:ММ` in Moscow time, the status, the coordinator's reason when it was returned,
/// and what the viewer may do with it.
public struct EventRow: Sendable, Hashable {
    public let id: Int64
    public let title: String
    public let kind: String
    public let format: String
    public let venue: String
    public let starts: String
    public let ends: String
    /// The place's name when the viewer knows it (the venue), else its number.
    public let place: String
    public let capacity: Int
    public let seated: Int
    public let status: String
    public let returnReason: String?
    /// Draft or returned: the venue may submit it.
    public let canSubmit: Bool

    /// The row of `event`; `places` names the venue's places by id.
    public init(_ event: TrialEvent, places: [Int64: String] = [:]) {
        id = event.id
        title = event.details.title
        kind = RussianFormat.eventKind(event.details.kind)
        format = RussianFormat.eventFormat(event.details.format)
        venue = event.venue
        starts = RussianFormat.moscowDateTime(event.details.startsAt)
        ends = RussianFormat.moscowDateTime(event.details.endsAt)
        place = places[event.details.place] ?? "№ \(event.details.place)"
        capacity = event.details.capacity
        seated = event.seated
        status = RussianFormat.eventStatus(event.status)
        returnReason = event.status == .returned ? event.returnReason : nil
        canSubmit = event.status == .draft || event.status == .returned
    }
}
