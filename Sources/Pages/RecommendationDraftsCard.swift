/// One of the navigator's pupils on the recommendations list: the name as the vault released it,
/// and the drafts waiting for review with the count of published ones, or why they cannot be read
/// (no name released, or the vault refused the pupil's recommendations).
public struct RecommendationDraftsCard: Sendable {
    public let token: String
    public let label: String
    public let drafts: [RecommendationReviewRow]
    public let hasDrafts: Bool
    public let draftCount: Int
    public let publishedCount: Int
    /// Why nothing is shown, in Russian; nil when the recommendations were read.
    public let unavailable: String?

    /// The card of `pupil` with its `drafts` and the count of its `published` recommendations.
    public init(_ pupil: NavigatorPupil, drafts: [RecommendationReviewRow], published: Int) {
        token = pupil.token
        label = pupil.label
        self.drafts = drafts
        hasDrafts = !drafts.isEmpty
        draftCount = drafts.count
        publishedCount = published
        unavailable = nil
    }

    /// The card of `pupil` whose recommendations could not be read, saying why.
    public init(_ pupil: NavigatorPupil, unavailable: String) {
        token = pupil.token
        label = pupil.label
        drafts = []
        hasDrafts = false
        draftCount = 0
        publishedCount = 0
        self.unavailable = unavailable
    }
}
