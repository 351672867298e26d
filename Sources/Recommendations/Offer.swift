public import Foundation

/// Something a pupil can take part in: an upcoming approved trial or event (trials module), or an
/// opportunity a region uploaded (``Opportunity``), as the engine ranks it.
public struct Offer: Sendable, Hashable, Codable {
    /// Which of the two.
    public enum Kind: String, Sendable, Hashable, Codable {
        case event
        case opportunity
    }

    public var kind: Kind
    /// The event's or the opportunity's id.
    public var id: Int64
    public var title: String
    public var sphere: String
    public var competencies: [String]
    public var startsAt: Date

    /// Creates an offer.
    public init(kind: Kind, id: Int64, title: String, sphere: String, competencies: [String], startsAt: Date) {
        self.kind = kind
        self.id = id
        self.title = title
        self.sphere = sphere
        self.competencies = competencies
        self.startsAt = startsAt
    }
}
