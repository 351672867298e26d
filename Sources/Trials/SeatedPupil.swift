public import Tokens

/// A pupil holding a seat at an event, by trials token, with the mentor's mark once given.
public struct SeatedPupil: Sendable, Hashable {
    /// The pupil's trials token.
    public let pupil: TrialsToken
    /// The mentor's mark; nil until marked.
    public let mark: AttendanceMark?

    public init(pupil: TrialsToken, mark: AttendanceMark?) {
        self.pupil = pupil
        self.mark = mark
    }
}
