/// The checked schema of a policy set: entity types, attributes, relations, actions, fields,
/// purposes and roles. Rules are type-checked against it at load, and requests are validated
/// against it at decision time.
public struct Schema: Sendable {
    /// The most roles, purposes, or fields of one type, a schema may declare (bit-set limits).
    public static let maximumCount = 64

    public let roles: [RoleDeclaration]
    public let entityTypes: [EntityTypeDeclaration]
    public let relations: [RelationDeclaration]
    public let actions: [ActionDeclaration]
    public let purposes: [PurposeDeclaration]
    public let enumerations: [EnumDeclaration]

    let roleIDs: [String: Int]
    let entityIDs: [String: Int]
    let actionIDs: [String: Int]
    let purposeIDs: [String: Int]
    let relationsByName: [String: RelationDeclaration]
    let enumerationsByName: [String: EnumDeclaration]
    let roleAttributes: [[String: AttributeDeclaration]]
    let entityAttributes: [[String: AttributeDeclaration]]
    let fieldIDs: [[String: Int]]

    init(
        roles: [RoleDeclaration], entityTypes: [EntityTypeDeclaration], relations: [RelationDeclaration],
        actions: [ActionDeclaration], purposes: [PurposeDeclaration], enumerations: [EnumDeclaration]
    ) {
        self.roles = roles
        self.entityTypes = entityTypes
        self.relations = relations
        self.actions = actions
        self.purposes = purposes
        func ids(_ names: [String]) -> [String: Int] {
            Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
        roleIDs = ids(roles.map(\.name))
        entityIDs = ids(entityTypes.map(\.name))
        actionIDs = ids(actions.map(\.name))
        purposeIDs = ids(purposes.map(\.name))
        relationsByName = Dictionary(relations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let roleEnumeration = EnumDeclaration(name: "role", members: roles.map(\.name))
        self.enumerations = enumerations
        enumerationsByName = Dictionary(
            (enumerations + [roleEnumeration]).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func attributes(_ list: [AttributeDeclaration]) -> [String: AttributeDeclaration] {
            Dictionary(list.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        }
        roleAttributes = roles.map { attributes($0.attributes) }
        entityAttributes = entityTypes.map { attributes($0.attributes) }
        fieldIDs = entityTypes.map { ids($0.fields.map(\.name)) }
    }

    /// The declaration of entity type `name`.
    public func entityType(named name: String) -> EntityTypeDeclaration? {
        entityIDs[name].map { entityTypes[$0] }
    }

    /// The entity types an action applies to: the resource types.
    public var resourceTypes: [String] {
        var seen = Set<String>()
        return actions.flatMap(\.appliesTo).filter { seen.insert($0).inserted }
    }

    /// True when an entity of type `actual` may stand where `declared` is expected: the same
    /// type, or a type declared under it.
    func accepts(declared: String, actual: String) -> Bool {
        actual == declared || entityType(named: actual)?.parent == declared
    }

    /// True when entities of the two types can ever be equal.
    func compatible(_ a: String, _ b: String) -> Bool {
        accepts(declared: a, actual: b) || accepts(declared: b, actual: a)
    }

    /// The entity types `declared` accepts: itself and the types declared under it.
    func acceptedTypes(_ declared: String) -> [String] {
        [declared] + entityTypes.filter { $0.parent == declared }.map(\.name)
    }
}
