/// What is asked about: an entity of a resource type with the attributes the schema declares for
/// it (e.g. a pupil's school and region), supplied by the caller (the vault or a module).
public struct Resource: Hashable, Sendable {
    /// The resource's identity; `entity.type` is the resource type.
    public var entity: EntityRef
    /// Attributes by name, as the schema's `entity` declaration lists them.
    public var attributes: [String: Value]

    /// Creates a resource of `type` with id `id`.
    public init(type: String, id: String, attributes: [String: Value] = [:]) {
        self.entity = EntityRef(type, id)
        self.attributes = attributes
    }

    /// The resource type.
    public var type: String { entity.type }
}
