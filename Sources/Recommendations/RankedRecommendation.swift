/// One recommendation as the engine ranks it, before anyone reviews it: what, its score and rank
/// among its kind, the signals that led to it and the text for the pupil rendered from them.
public struct RankedRecommendation: Sendable, Hashable, Codable {
    public var kind: RecommendationKind
    /// The sphere or competency code, or the event's or opportunity's id as text.
    public var subject: String
    /// What the pupil reads as the title (the sphere's Russian name, the event's title).
    public var title: String
    /// Higher is stronger; comparable within a kind.
    public var score: Int
    /// 1 for the strongest of its kind.
    public var rank: Int
    /// The signals, strongest first.
    public var reasons: [Reason]
    /// The text for the pupil (Russian).
    public var text: String

    /// Creates a recommendation.
    public init(kind: RecommendationKind, subject: String, title: String, score: Int, rank: Int, reasons: [Reason], text: String) {
        self.kind = kind
        self.subject = subject
        self.title = title
        self.score = score
        self.rank = rank
        self.reasons = reasons
        self.text = text
    }
}
