public import Foundation
public import Tokens

/// A published test version assigned to a pupil by a navigator, with the pupil's attempts so far.
public struct Assignment: Sendable, Hashable {
    public var id: UUID
    public var pupil: AssessmentToken
    public var testCode: String
    /// The version the assignment pins: later versions of the code do not change it.
    public var testVersion: Int
    public var title: String
    /// The navigator's account id (`usr_…`).
    public var assignedBy: String
    public var assignedAt: Date
    public var dueAt: Date?
    /// Sessions started so far, of ``maxAttempts``.
    public var attemptsUsed: Int
    public var maxAttempts: Int

    /// Creates an assignment.
    public init(
        id: UUID, pupil: AssessmentToken, testCode: String, testVersion: Int, title: String, assignedBy: String, assignedAt: Date,
        dueAt: Date?, attemptsUsed: Int, maxAttempts: Int
    ) {
        self.id = id
        self.pupil = pupil
        self.testCode = testCode
        self.testVersion = testVersion
        self.title = title
        self.assignedBy = assignedBy
        self.assignedAt = assignedAt
        self.dueAt = dueAt
        self.attemptsUsed = attemptsUsed
        self.maxAttempts = maxAttempts
    }
}
