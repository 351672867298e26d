public import Foundation

/// A finished session's scores, as the pupil reads them.
public struct TestResult: Sendable, Hashable {
    public var session: UUID
    public var testCode: String
    public var testVersion: Int
    public var sheet: ScoreSheet
    /// `submitted`, or `expired` when the deadline ended the session.
    public var outcome: TestSession.Status
    public var completedAt: Date

    /// Creates a result.
    public init(session: UUID, testCode: String, testVersion: Int, sheet: ScoreSheet, outcome: TestSession.Status, completedAt: Date) {
        self.session = session
        self.testCode = testCode
        self.testVersion = testVersion
        self.sheet = sheet
        self.outcome = outcome
        self.completedAt = completedAt
    }
}
