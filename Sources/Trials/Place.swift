/// A place of a venue where events are held: a room, a workshop, a hall.
public struct Place: Sendable, Hashable, Codable {
    /// The place's id.
    public var id: Int64
    /// The venue's registry id (`77-0042`).
    public var venue: String
    public var name: String
    public var address: String
    /// How many people the place holds.
    public var capacity: Int

    /// Creates a place.
    public init(id: Int64, venue: String, name: String, address: String, capacity: Int) {
        self.id = id
        self.venue = venue
        self.name = name
        self.address = address
        self.capacity = capacity
    }
}
