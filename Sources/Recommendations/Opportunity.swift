public import Foundation

/// An opportunity a region's coordinator uploaded: a programme, a competition, an open day.
public struct Opportunity: Sendable, Hashable, Codable {
    public var id: Int64
    /// The region's code.
    public var region: String
    public var title: String
    /// A sphere code (`it`).
    public var sphere: String
    /// Competency codes (`programming`).
    public var competencies: [String]
    /// When it opens and closes.
    public var startsAt: Date
    public var endsAt: Date
    /// An `https://` link.
    public var link: String

    /// Creates an opportunity.
    public init(id: Int64, region: String, title: String, sphere: String, competencies: [String], startsAt: Date, endsAt: Date, link: String) {
        self.id = id
        self.region = region
        self.title = title
        self.sphere = sphere
        self.competencies = competencies
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.link = link
    }

    /// As the engine ranks it.
    public var offer: Offer {
        Offer(kind: .opportunity, id: id, title: title, sphere: sphere, competencies: competencies, startsAt: startsAt)
    }
}
