public import Foundation
public import Tokens

/// A recommendation as the module keeps it: the engine's ranking, its review state and who
/// generated, edited and published it (account ids, never names).
public struct StoredRecommendation: Sendable, Hashable {
    /// Review state.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Generated or edited, not yet visible to the pupil.
        case draft
        /// Visible to the pupil.
        case published
    }

    public var id: Int64
    public var pupil: RecommendationsToken
    public var ranked: RankedRecommendation
    public var status: Status
    /// The aggregation keys (registry codes) known when it was generated.
    public var school: String?
    public var region: String?
    public var generatedBy: String
    public var generatedAt: Date
    public var editedBy: String?
    public var publishedAt: Date?

    /// Creates a stored recommendation.
    public init(
        id: Int64, pupil: RecommendationsToken, ranked: RankedRecommendation, status: Status, school: String?, region: String?,
        generatedBy: String, generatedAt: Date, editedBy: String?, publishedAt: Date?
    ) {
        self.id = id
        self.pupil = pupil
        self.ranked = ranked
        self.status = status
        self.school = school
        self.region = region
        self.generatedBy = generatedBy
        self.generatedAt = generatedAt
        self.editedBy = editedBy
        self.publishedAt = publishedAt
    }
}
