/// How an event's seats stand for one navigator: counts, and the navigator's own enrolments.
public struct SeatStanding: Sendable, Hashable {
    /// Pupils holding a seat.
    public let seated: Int
    /// Pupils in line.
    public let waiting: Int
    /// The navigator's own enrolments: seated first, then in line with their places.
    public let own: [Enrolment]

    public init(seated: Int, waiting: Int, own: [Enrolment]) {
        self.seated = seated
        self.waiting = waiting
        self.own = own
    }
}
