/// One reason a test definition is refused, naming where it is (section and question) so a
/// methodologist can fix it: `section 2, question "q7": scale min 5 is not below max 3`.
///
/// Issues carry the definition's identifiers and numbers, never a pupil's data (a definition has
/// none).
public struct DefinitionIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Stable codes, one per kind of mistake.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// The definition is larger than ``DefinitionValidator/maximumBytes``.
        case tooLarge = "too-large"
        /// Not JSON, or a member of the wrong type.
        case malformed = "malformed"
        /// A required member is missing.
        case missing = "missing"
        /// The test code is not lower-case letters, digits and `-` (1 to 64).
        case invalidCode = "invalid-code"
        /// The version is not a number from 1.
        case invalidVersion = "invalid-version"
        /// The time limit is outside 60 to 14,400 seconds.
        case invalidTimeLimit = "invalid-time-limit"
        /// `max_attempts` is outside 1 to 10.
        case invalidAttempts = "invalid-attempts"
        /// An identifier is not letters, digits, `_`, `-` or `.` (1 to 64).
        case invalidIdentifier = "invalid-identifier"
        /// A text is empty or longer than ``DefinitionValidator/maximumTextLength``.
        case invalidText = "invalid-text"
        /// Two questions of the test (or two options of a question) have the same id.
        case duplicateID = "duplicate-id"
        /// The question's kind is not one of ``QuestionKind``.
        case unknownKind = "unknown-kind"
        /// A section has no questions, the test no sections, or a choice question no options.
        case empty = "empty"
        /// An ordering question has fewer than two items.
        case tooFewItems = "too-few-items"
        /// The scale's `min` is not below its `max`, or the scale is wider than 100 steps.
        case invalidScale = "invalid-scale"
        /// A member the question's kind does not use (options on a scale question, …).
        case unexpectedMember = "unexpected-member"
        /// A score names a dimension the catalogue does not have.
        case unknownDimension = "unknown-dimension"
        /// A weight is not a finite number from 0 to 10.
        case invalidWeight = "invalid-weight"
        /// More sections, questions or options than the format allows.
        case tooMany = "too-many"
    }

    /// The stable code.
    public let code: Code
    /// The section's position, from 1, when the issue is inside one.
    public let section: Int?
    /// The question's id (or its position `#3` when it has no usable id), when inside one.
    public let question: String?
    /// What is wrong, in English, with the definition's own identifiers and numbers.
    public let message: String

    /// Creates an issue.
    public init(_ code: Code, section: Int? = nil, question: String? = nil, _ message: String) {
        self.code = code
        self.section = section
        self.question = question
        self.message = message
    }

    /// `section 2, question "q7": scale min 5 is not below max 3`.
    public var description: String {
        var place: [String] = []
        if let section { place.append("section \(section)") }
        if let question { place.append("question \"\(question)\"") }
        return place.isEmpty ? message : "\(place.joined(separator: ", ")): \(message)"
    }
}
