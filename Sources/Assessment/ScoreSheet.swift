/// The result of scoring one completed test: a value from 0 to 100 for each footprint dimension
/// the test can score (its share of the most the test could give that dimension).
public struct ScoreSheet: Sendable, Hashable, Codable {
    /// Dimension identifier → 0…100.
    public var scores: [String: Int]
    /// How many questions were answered, of ``questions``.
    public var answered: Int
    public var questions: Int

    /// Creates a sheet.
    public init(scores: [String: Int], answered: Int, questions: Int) {
        self.scores = scores
        self.answered = answered
        self.questions = questions
    }
}
