/// A reference to one entity: its type (as the schema names it, e.g. `school`, `pupil`, `user`)
/// and its opaque id (e.g. `77-1234`, or a pupil's token).
///
/// Ids are tokens or registry codes, never personal data: a pupil is referred to by the vault's
/// token, not by name. Two references are equal when both type and id are equal.
public struct EntityRef: Hashable, Sendable, CustomStringConvertible {
    /// The entity type, a name declared with `entity` in the schema.
    public var type: String
    /// The entity's id within its type.
    public var id: String

    /// Creates a reference to entity `id` of type `type`.
    public init(_ type: String, _ id: String) {
        self.type = type
        self.id = id
    }

    /// `type "id"`, the form used in test files.
    public var description: String { "\(type) \"\(id)\"" }
}
