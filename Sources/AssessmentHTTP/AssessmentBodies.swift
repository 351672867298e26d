import Assessment
import Foundation

/// A test version as the staff routes answer it.
struct TestVersionBody: Encodable {
    let code: String
    let version: Int
    let title: String
    let state: String
    let timeLimitSeconds: Int
    let maxAttempts: Int
    let uploadedAt: Date
    let publishedAt: Date?

    init(_ version: TestVersion) {
        code = version.code
        self.version = version.version
        title = version.title
        state = version.state.rawValue
        timeLimitSeconds = version.timeLimitSeconds
        maxAttempts = version.maxAttempts
        uploadedAt = version.uploadedAt
        publishedAt = version.publishedAt
    }

    enum CodingKeys: String, CodingKey {
        case code, version, title, state
        case timeLimitSeconds = "time_limit_seconds"
        case maxAttempts = "max_attempts"
        case uploadedAt = "uploaded_at"
        case publishedAt = "published_at"
    }
}

/// `{"tests": [...]}`.
struct TestVersionList: Encodable {
    let tests: [TestVersionBody]
}

/// A navigator's assignment: the pupil's vault token, the test's code and version, and an
/// optional due date-time (ISO 8601).
struct AssignmentRequest: Decodable {
    let pupil: String
    let test: String
    let version: Int
    let due: String?
}

/// An assignment as the navigator and the pupil see it; the pupil's token is never in it.
struct AssignmentBody: Encodable {
    let id: String
    let test: String
    let version: Int
    let title: String
    let assignedAt: Date
    let due: Date?
    let attemptsUsed: Int
    let maxAttempts: Int

    init(_ assignment: Assignment) {
        id = assignment.id.uuidString.lowercased()
        test = assignment.testCode
        version = assignment.testVersion
        title = assignment.title
        assignedAt = assignment.assignedAt
        due = assignment.dueAt
        attemptsUsed = assignment.attemptsUsed
        maxAttempts = assignment.maxAttempts
    }

    enum CodingKeys: String, CodingKey {
        case id, test, version, title, due
        case assignedAt = "assigned_at"
        case attemptsUsed = "attempts_used"
        case maxAttempts = "max_attempts"
    }
}

/// `{"assignments": [...]}`.
struct AssignmentList: Encodable {
    let assignments: [AssignmentBody]
}

/// One saved answer.
struct SavedAnswer: Encodable {
    let question: String
    let answer: Answer
}

/// A session as the pupil sees it: the test without scores, the deadline and the answers saved.
struct SessionBody: Encodable {
    let id: String
    let assignment: String
    let attempt: Int
    let status: String
    let startedAt: Date
    let deadline: Date
    let answers: [SavedAnswer]
    let test: TestDefinition

    init(_ session: TestSession) {
        id = session.id.uuidString.lowercased()
        assignment = session.assignmentID.uuidString.lowercased()
        attempt = session.attempt
        status = session.status.rawValue
        startedAt = session.startedAt
        deadline = session.deadline
        answers = session.answers.sorted { $0.key < $1.key }.map { SavedAnswer(question: $0.key, answer: $0.value) }
        test = session.test
    }

    enum CodingKeys: String, CodingKey {
        case id, assignment, attempt, status, deadline, answers, test
        case startedAt = "started_at"
    }
}

/// A result as the pupil reads it.
struct ResultBody: Encodable {
    let session: String
    let test: String
    let version: Int
    let outcome: String
    let scores: [String: Int]
    let answered: Int
    let questions: Int
    let completedAt: Date

    init(_ result: TestResult) {
        session = result.session.uuidString.lowercased()
        test = result.testCode
        version = result.testVersion
        outcome = result.outcome.rawValue
        scores = result.sheet.scores
        answered = result.sheet.answered
        questions = result.sheet.questions
        completedAt = result.completedAt
    }

    enum CodingKeys: String, CodingKey {
        case session, test, version, outcome, scores, answered, questions
        case completedAt = "completed_at"
    }
}

/// `{"results": [...]}`.
struct ResultList: Encodable {
    let results: [ResultBody]
}

/// The pupil's footprint: current values and every change.
struct FootprintBody: Encodable {
    struct Value: Encodable {
        let dimension: String
        let value: Int
        let updatedAt: Date

        enum CodingKeys: String, CodingKey {
            case dimension, value
            case updatedAt = "updated_at"
        }
    }

    struct Change: Encodable {
        let dimension: String
        let oldValue: Int?
        let newValue: Int
        let session: String
        let changedAt: Date

        enum CodingKeys: String, CodingKey {
            case dimension, session
            case oldValue = "old_value"
            case newValue = "new_value"
            case changedAt = "changed_at"
        }
    }

    let values: [Value]
    let history: [Change]
}

/// `400 invalid-definition` with every issue (`application/problem+json`).
struct InvalidDefinitionBody: Encodable {
    struct Item: Encodable {
        let code: String
        let section: Int?
        let question: String?
        let message: String
    }

    let type = "about:blank"
    let status = 400
    let code = "invalid-definition"
    let title = "The test definition is not valid; every issue is listed."
    let issues: [Item]
}
