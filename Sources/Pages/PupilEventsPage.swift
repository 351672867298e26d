public import Foundation

/// The pupil's events as the pupil's page shows them: what, when (`ДД.ММ.ГГГГ ЧЧ:ММ`, UTC), where,
/// and the pupil's place (a seat, or the position on the waiting list); the past ones apart.
public enum PupilEventsPage {
    /// One event.
    public struct Row: Sendable, Hashable {
        public let title: String
        public let kind: String
        public let format: String
        public let startsAt: String
        public let endsAt: String
        public let place: String
        public let address: String
        /// «место за вами» or «в листе ожидания: N-й».
        public let standing: String
        public let seated: Bool
        /// Whether the event has ended.
        public let past: Bool

        /// A row of the event's values: `kind` (`trial`, `mass_event`), `format` (`in_person`,
        /// `online`), judged against `now`.
        public init(
            title: String, kind: String, format: String, startsAt: Date, endsAt: Date, place: String, address: String, seated: Bool,
            waitingPosition: Int?, now: Date
        ) {
            self.title = title
            self.kind = kind == "trial" ? "профессиональная проба" : "мероприятие"
            self.format = format == "online" ? "онлайн" : "очно"
            self.startsAt = RussianFormat.dateTime(startsAt)
            self.endsAt = RussianFormat.dateTime(endsAt)
            self.place = place
            self.address = address
            self.seated = seated
            self.standing = seated ? "место за вами" : "в листе ожидания: \(waitingPosition.map { "\($0)-й" } ?? "—")"
            self.past = endsAt < now
        }
    }
}
