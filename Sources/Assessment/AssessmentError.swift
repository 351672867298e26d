/// Every refusal of the assessment module, with a stable code the HTTP routes map onto problem
/// documents. Messages name tests, versions and question ids, never a pupil's data.
public struct AssessmentError: Error, Sendable, CustomStringConvertible {
    /// Stable codes.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The definition was refused; ``AssessmentError/issues`` says why, every reason.
        case invalidDefinition = "invalid-definition"
        /// No test (or version) with this code.
        case testNotFound = "test-not-found"
        /// The version is published: it cannot be changed or uploaded again.
        case versionPublished = "version-published"
        /// The version is a draft: it cannot be assigned.
        case notPublished = "not-published"
        /// No assignment of this pupil has this id.
        case assignmentNotFound = "assignment-not-found"
        /// The pupil used every attempt the test allows.
        case attemptsExhausted = "attempts-exhausted"
        /// No session of this pupil has this id.
        case sessionNotFound = "session-not-found"
        /// The session was submitted or expired already.
        case sessionClosed = "session-closed"
        /// The session's time is up; it was scored with the answers saved before the deadline.
        case deadlinePassed = "deadline-passed"
        /// The answer is not one the question accepts (or the question is not in the test).
        case invalidAnswer = "invalid-answer"
        /// The database failed or refused.
        case storage = "storage"
    }

    /// The stable code.
    public let code: Code
    /// A fixed explanation with identifiers only.
    public let reason: String
    /// For ``Code/invalidDefinition``: every issue.
    public let issues: [DefinitionIssue]

    /// Creates an error.
    public init(_ code: Code, _ reason: String, issues: [DefinitionIssue] = []) {
        self.code = code
        self.reason = reason
        self.issues = issues
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
