public import Foundation
public import Tokens

/// A pupil's place in an event: a seat, or a place on the waiting list.
public struct Enrolment: Sendable, Hashable {
    /// Seated, or waiting (in order).
    public enum State: String, Sendable, Hashable, Codable {
        case seated
        case waiting
    }

    public var event: Int64
    public var pupil: TrialsToken
    public var state: State
    /// For a waiting pupil: 1 for the first in line.
    public var waitingPosition: Int?
    /// Who enrolled the pupil (the audit actor, `user:usr_…`).
    public var enrolledBy: String?

    /// Creates an enrolment.
    public init(event: Int64, pupil: TrialsToken, state: State, waitingPosition: Int? = nil, enrolledBy: String? = nil) {
        self.event = event
        self.pupil = pupil
        self.state = state
        self.waitingPosition = waitingPosition
        self.enrolledBy = enrolledBy
    }
}

/// What an enrolment did.
public struct EnrolmentOutcome: Sendable, Hashable {
    /// The pupil's enrolment after the call.
    public var enrolment: Enrolment
    /// False when the pupil was already enrolled (the call changed nothing).
    public var created: Bool
    /// The event's end, for the validity of the `enrolled_in` fact.
    public var eventEndsAt: Date

    /// Creates an outcome.
    public init(enrolment: Enrolment, created: Bool, eventEndsAt: Date) {
        self.enrolment = enrolment
        self.created = created
        self.eventEndsAt = eventEndsAt
    }
}

/// What cancelling an enrolment did.
public struct Cancellation: Sendable, Hashable {
    public var event: Int64
    public var pupil: TrialsToken
    /// The state the pupil's enrolment had.
    public var was: Enrolment.State
    /// The waiting pupil promoted to the freed seat, if any.
    public var promoted: TrialsToken?
    /// The event's end, for the validity of the promoted pupil's `enrolled_in` fact.
    public var eventEndsAt: Date

    /// Creates a cancellation.
    public init(event: Int64, pupil: TrialsToken, was: Enrolment.State, promoted: TrialsToken?, eventEndsAt: Date) {
        self.event = event
        self.pupil = pupil
        self.was = was
        self.promoted = promoted
        self.eventEndsAt = eventEndsAt
    }
}
