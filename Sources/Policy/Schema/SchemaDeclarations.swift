/// The type of an attribute, as the schema declares it.
public enum AttributeType: Hashable, Sendable, CustomStringConvertible {
    case bool
    case long
    case string
    case timestamp
    /// A reference to an entity of this type (or of a type declared under it).
    case entity(String)
    /// A string that must be one of the members of this schema enum (`role` is built in).
    case enumeration(String)

    public var description: String {
        switch self {
        case .bool: return "bool"
        case .long: return "long"
        case .string: return "string"
        case .timestamp: return "timestamp"
        case .entity(let name): return name
        case .enumeration(let name): return name
        }
    }
}

/// An attribute of a role (a principal) or of an entity type (a resource).
public struct AttributeDeclaration: Hashable, Sendable {
    public var name: String
    public var type: AttributeType
    /// Optional attributes may be absent from a request; reading an absent one is an evaluation
    /// error (deny) unless the rule guards it with `has`.
    public var isOptional: Bool
}

/// A field of a resource type: one item of data a request can ask to read or write.
public struct FieldDeclaration: Hashable, Sendable {
    public var name: String
    /// Special-category data (152-FZ art. 10, e.g. health): a permit granting it must name purposes.
    public var isSpecialCategory: Bool
    /// The masks a rule may grant instead of the plain value.
    public var masks: [Mask]
}

/// An entity type: a resource type, or a type referenced by attributes and relations.
public struct EntityTypeDeclaration: Hashable, Sendable {
    public var name: String
    /// The type this one is declared under (`entity school : organisation`).
    public var parent: String?
    public var attributes: [AttributeDeclaration]
    public var fields: [FieldDeclaration]
}

/// A relation between entities, held as data and looked up through a `RelationshipResolver`.
public struct RelationDeclaration: Hashable, Sendable {
    public var name: String
    public var subjectType: String
    public var objectType: String
}

/// An action and the resource types it applies to.
public struct ActionDeclaration: Hashable, Sendable {
    public var name: String
    public var appliesTo: [String]
}

/// A purpose of processing, with the description the schema gives it.
public struct PurposeDeclaration: Hashable, Sendable {
    public var name: String
    public var summary: String
}

/// A role and the principal attributes it carries.
public struct RoleDeclaration: Hashable, Sendable {
    public var name: String
    public var attributes: [AttributeDeclaration]
}

/// A closed set of string values.
public struct EnumDeclaration: Hashable, Sendable {
    public var name: String
    public var members: [String]
}
