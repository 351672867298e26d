/// What a recommendation recommends.
public enum RecommendationKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A professional sphere (subject: its code, `it`).
    case sphere
    /// A competency to develop (subject: its code, `programming`).
    case competency
    /// An upcoming approved trial or event (subject: the event's id).
    case event
    /// A region's opportunity (subject: its id).
    case opportunity
}
