/// One dimension of a pupil's digital footprint that tests score onto (`sphere.it`,
/// `soft.teamwork`, `competency.programming`, `awareness.level`).
///
/// A footprint value is a whole number from 0 to 100 per dimension; the identifiers are stable
/// (stored in the database and in published test definitions), the English titles are for
/// methodologists' tools.
public struct FootprintDimension: Sendable, Hashable, Codable {
    /// The four kinds of dimension the platform's footprint has.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// One of the 10 soft skills (`soft.…`).
        case softSkill = "soft"
        /// Interest in one of the 15 professional spheres (`sphere.…`).
        case sphere
        /// One of the 50+ competencies (`competency.…`).
        case competency
        /// The awareness level of the world of professions (`awareness.…`).
        case awareness
    }

    /// The stable identifier, `<kind>.<name>`.
    public let id: String
    /// The kind; always the identifier's prefix.
    public let kind: Kind
    /// A short English title.
    public let title: String

    /// Creates a dimension; `id` must start with the kind's prefix (the catalogue's tests check it).
    public init(_ id: String, _ kind: Kind, _ title: String) {
        self.id = id
        self.kind = kind
        self.title = title
    }
}
