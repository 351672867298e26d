public import Foundation

/// One attempt at an assigned test: its deadline, state and the answers saved so far, with the
/// test as the pupil sees it (no scores), so an app that lost its connection resumes where it was.
public struct TestSession: Sendable, Hashable {
    /// Where a session is.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Taking answers until the deadline.
        case open
        /// Submitted by the pupil and scored.
        case submitted
        /// The deadline passed; scored with the answers saved before it.
        case expired
    }

    public var id: UUID
    public var assignmentID: UUID
    /// From 1.
    public var attempt: Int
    public var startedAt: Date
    public var deadline: Date
    public var status: Status
    /// Question id → saved answer.
    public var answers: [String: Answer]
    /// The test without its scores.
    public var test: TestDefinition

    /// Creates a session view.
    public init(
        id: UUID, assignmentID: UUID, attempt: Int, startedAt: Date, deadline: Date, status: Status, answers: [String: Answer],
        test: TestDefinition
    ) {
        self.id = id
        self.assignmentID = assignmentID
        self.attempt = attempt
        self.startedAt = startedAt
        self.deadline = deadline
        self.status = status
        self.answers = answers
        self.test = test
    }
}
