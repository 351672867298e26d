/// One of a pupil's own enrolments as the pupil sees it: the event, where it is held, and the
/// pupil's place in it (a seat, or the position on the waiting list).
public struct EnrolledEvent: Sendable, Hashable {
    public var event: TrialEvent
    /// The place's name and address (the venue's, not personal data).
    public var placeName: String
    public var placeAddress: String
    public var state: Enrolment.State
    /// For a waiting pupil: 1 for the first in line.
    public var waitingPosition: Int?

    /// Creates an enrolment as listed.
    public init(event: TrialEvent, placeName: String, placeAddress: String, state: Enrolment.State, waitingPosition: Int?) {
        self.event = event
        self.placeName = placeName
        self.placeAddress = placeAddress
        self.state = state
        self.waitingPosition = waitingPosition
    }
}
