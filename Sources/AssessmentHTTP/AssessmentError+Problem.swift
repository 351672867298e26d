public import Assessment
public import Gateway

extension AssessmentError: HTTPProblemConvertible {
    /// The answer of each refusal; storage failures are `503 unavailable` without detail.
    public var problem: Problem {
        switch code {
        case .invalidDefinition:
            Problem(.badRequest, code: "invalid-definition", title: "The test definition is not valid.")
        case .testNotFound: Problem(.notFound, code: "test-not-found", title: "No test has this code and version.")
        case .versionPublished:
            Problem(.conflict, code: "version-published", title: "This version is published and cannot change; upload a new version.")
        case .notPublished: Problem(.conflict, code: "not-published", title: "Only a published version can be assigned.")
        case .assignmentNotFound: Problem(.notFound, code: "assignment-not-found", title: "No assignment of yours has this id.")
        case .attemptsExhausted:
            Problem(.conflict, code: "attempts-exhausted", title: "Every attempt this test allows has been used.")
        case .sessionNotFound: Problem(.notFound, code: "session-not-found", title: "No session of yours has this id.")
        case .sessionClosed: Problem(.conflict, code: "session-closed", title: "The session is finished.")
        case .deadlinePassed:
            Problem(.conflict, code: "deadline-passed", title: "The time is up; the session was scored with the answers saved before it.")
        case .invalidAnswer: Problem(.unprocessableContent, code: "invalid-answer", title: "The question does not accept this answer.")
        case .recordFailed: Problem.auditUnavailable
        case .storage: Problem.unavailable
        }
    }
}
