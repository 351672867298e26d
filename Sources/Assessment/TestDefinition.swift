/// A test as a methodologist writes it: the JSON format of docs/ASSESSMENT.md.
///
/// Every member is optional so that a definition with several mistakes still decodes and the
/// ``DefinitionValidator`` can name all of them at once; a definition the validator accepted has
/// every required member (``ValidatedTest`` holds only such definitions).
public struct TestDefinition: Sendable, Hashable, Codable {
    /// The test's stable code (`career-interests-7`): lower-case letters, digits and `-`.
    public var code: String?
    /// The title the pupil sees.
    public var title: String?
    /// The version number, from 1; versions of one code coexist.
    public var version: Int?
    /// The time a pupil has from starting a session, in seconds (60 to 14,400).
    public var timeLimitSeconds: Int?
    /// How many sessions a pupil may start for one assignment (1 to 10).
    public var maxAttempts: Int?
    /// The sections, in order.
    public var sections: [Section]?

    /// Creates a definition.
    public init(
        code: String?, title: String?, version: Int?, timeLimitSeconds: Int?, maxAttempts: Int?, sections: [Section]?
    ) {
        self.code = code
        self.title = title
        self.version = version
        self.timeLimitSeconds = timeLimitSeconds
        self.maxAttempts = maxAttempts
        self.sections = sections
    }

    enum CodingKeys: String, CodingKey {
        case code, title, version, sections
        case timeLimitSeconds = "time_limit_seconds"
        case maxAttempts = "max_attempts"
    }

    /// A section: a titled group of questions.
    public struct Section: Sendable, Hashable, Codable {
        public var title: String?
        public var questions: [Question]?

        /// Creates a section.
        public init(title: String?, questions: [Question]?) {
            self.title = title
            self.questions = questions
        }
    }

    /// A question of one of the four ``QuestionKind``s.
    ///
    /// Choice questions carry `options`, ordering questions `items` (both ``Option``s, each with
    /// its scores), scale questions `scale` and the `scores` a full-scale answer gives.
    public struct Question: Sendable, Hashable, Codable {
        /// Unique within the test (`q7`); answers name it.
        public var id: String?
        /// `single_choice`, `multiple_choice`, `scale` or `ordering`.
        public var kind: String?
        public var text: String?
        public var options: [Option]?
        public var items: [Option]?
        public var scale: Scale?
        /// For a scale: the scores of the scale's maximum; an answer gets the share of the way from
        /// `min` to `max`.
        public var scores: [String: Double]?

        /// Creates a question.
        public init(
            id: String?, kind: String?, text: String?, options: [Option]? = nil, items: [Option]? = nil, scale: Scale? = nil,
            scores: [String: Double]? = nil
        ) {
            self.id = id
            self.kind = kind
            self.text = text
            self.options = options
            self.items = items
            self.scale = scale
            self.scores = scores
        }

        /// The kind, when it is one the format knows.
        public var questionKind: QuestionKind? { kind.flatMap(QuestionKind.init(rawValue:)) }
    }

    /// An answer option (choice questions) or an item to put in order (ordering questions), with
    /// what choosing it (or ranking it first) scores on each footprint dimension.
    public struct Option: Sendable, Hashable, Codable {
        /// Unique within the question.
        public var id: String?
        public var text: String?
        /// Weights from 0 to 10 by dimension identifier (``DimensionCatalogue``).
        public var scores: [String: Double]?

        /// Creates an option.
        public init(id: String?, text: String?, scores: [String: Double]? = nil) {
            self.id = id
            self.text = text
            self.scores = scores
        }
    }

    /// A scale question's range: whole numbers from `min` to `max`.
    public struct Scale: Sendable, Hashable, Codable {
        public var min: Int?
        public var max: Int?

        /// Creates a range.
        public init(min: Int?, max: Int?) {
            self.min = min
            self.max = max
        }
    }
}

/// The kinds of question a test may ask.
public enum QuestionKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Exactly one option.
    case singleChoice = "single_choice"
    /// One or more distinct options.
    case multipleChoice = "multiple_choice"
    /// A whole number from the scale's `min` to its `max`.
    case scale
    /// Every item, each once, in the pupil's order (first = most).
    case ordering
}
