/// The result of scoring one completed test: a value from 0 to 100 for each footprint dimension
/// some answered question can score (its share of the most the test could give that dimension).
///
/// Scoring fills ``values`` in the order of the test's ``dimensions`` (shared with its
/// ``ScoringKey``, not copied), so a sheet costs one small array; ``scores`` gives the values by
/// dimension. Two sheets are equal when their scores, answered and question counts are.
public struct ScoreSheet: Sendable, Hashable {
    /// The dimensions, in the order of ``values``.
    public let dimensions: [String]
    /// The score of each dimension, or `nil` where no answered question could score it.
    public let values: [Int?]
    /// How many questions were answered, of ``questions``.
    public var answered: Int
    public var questions: Int

    /// A sheet of `values` in the order of `dimensions` (as scoring makes it).
    init(dimensions: [String], values: [Int?], answered: Int, questions: Int) {
        self.dimensions = dimensions
        self.values = values
        self.answered = answered
        self.questions = questions
    }

    /// A sheet of `scores` by dimension (as a stored result gives it).
    public init(scores: [String: Int], answered: Int, questions: Int) {
        let sorted = scores.sorted { $0.key < $1.key }
        self.init(dimensions: sorted.map(\.key), values: sorted.map(\.value), answered: answered, questions: questions)
    }

    /// Dimension identifier → 0…100, for the dimensions scored.
    public var scores: [String: Int] {
        var scores: [String: Int] = [:]
        for (dimension, value) in zip(dimensions, values) {
            if let value { scores[dimension] = value }
        }
        return scores
    }

    /// How many dimensions were scored.
    public var scoredCount: Int { values.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    public static func == (lhs: ScoreSheet, rhs: ScoreSheet) -> Bool {
        lhs.answered == rhs.answered && lhs.questions == rhs.questions && lhs.scores == rhs.scores
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(answered)
        hasher.combine(questions)
        hasher.combine(scores)
    }
}
