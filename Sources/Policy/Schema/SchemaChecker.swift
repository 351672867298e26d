/// Turns parsed schema declarations into a `Schema`, refusing duplicates, unknown types,
/// unknown masks and sets too large for the engine's bit sets.
struct SchemaChecker {
    private var diagnostics: [PolicyDiagnostic] = []

    static let builtinTypes: [String: AttributeType] = [
        "bool": .bool, "long": .long, "string": .string, "timestamp": .timestamp,
    ]

    /// The schema, or every problem found.
    static func check(_ ast: SchemaAST) -> Result<Schema, PolicyLoadError> {
        var checker = SchemaChecker()
        let schema = checker.build(ast)
        if checker.diagnostics.isEmpty { return .success(schema) }
        return .failure(PolicyLoadError(checker.diagnostics))
    }

    private mutating func report(_ code: PolicyDiagnostic.Code, _ location: SourceLocation, _ message: String) {
        diagnostics.append(PolicyDiagnostic(code, at: location, message))
    }

    private mutating func unique(_ names: [Located<String>], _ what: String) {
        var seen = Set<String>()
        for name in names where !seen.insert(name.value).inserted {
            report(.duplicateDeclaration, name.location, "\(what) '\(name.value)' is declared twice")
        }
    }

    private mutating func build(_ ast: SchemaAST) -> Schema {
        let entityNames = Set(ast.entities.map(\.name.value))
        let enumNames = Set(ast.enumerations.map(\.name.value))

        unique(ast.enumerations.map(\.name) + ast.entities.map(\.name), "type")
        for enumeration in ast.enumerations {
            if enumeration.name.value == "role" || SchemaChecker.builtinTypes[enumeration.name.value] != nil {
                report(.duplicateDeclaration, enumeration.name.location, "'\(enumeration.name.value)' is a built-in type")
            }
            unique(enumeration.members, "member of '\(enumeration.name.value)'")
        }
        for entity in ast.entities where SchemaChecker.builtinTypes[entity.name.value] != nil || entity.name.value == "role" {
            report(.duplicateDeclaration, entity.name.location, "'\(entity.name.value)' is a built-in type")
        }
        unique(ast.relations.map(\.name), "relation")
        unique(ast.actions.map(\.name), "action")
        unique(ast.purposes.map(\.name), "purpose")
        unique(ast.roles.map(\.name), "role")
        if ast.roles.count > Schema.maximumCount, let first = ast.roles.first {
            report(.tooMany, first.name.location, "more than \(Schema.maximumCount) roles")
        }
        if ast.purposes.count > Schema.maximumCount, let first = ast.purposes.first {
            report(.tooMany, first.name.location, "more than \(Schema.maximumCount) purposes")
        }

        func resolve(_ type: Located<String>) -> AttributeType? {
            if let builtin = SchemaChecker.builtinTypes[type.value] { return builtin }
            if entityNames.contains(type.value) { return .entity(type.value) }
            if enumNames.contains(type.value) || type.value == "role" { return .enumeration(type.value) }
            return nil
        }
        func attributes(_ list: [SchemaAST.Attribute], owner: String) -> [AttributeDeclaration] {
            unique(list.map(\.name), "attribute of '\(owner)'")
            return list.compactMap { attribute in
                guard let type = resolve(attribute.type) else {
                    report(.unknownType, attribute.type.location, "unknown type '\(attribute.type.value)'")
                    return nil
                }
                return AttributeDeclaration(name: attribute.name.value, type: type, isOptional: attribute.optional)
            }
        }

        var entityTypes: [EntityTypeDeclaration] = []
        for entity in ast.entities {
            if let parent = entity.parent {
                if !entityNames.contains(parent.value) {
                    report(.unknownEntityType, parent.location, "unknown entity type '\(parent.value)'")
                } else if parent.value == entity.name.value {
                    report(.typeMismatch, parent.location, "an entity type cannot be declared under itself")
                } else if ast.entities.first(where: { $0.name.value == parent.value })?.parent != nil {
                    report(.typeMismatch, parent.location, "entity types nest one level only; '\(parent.value)' is itself declared under another type")
                }
            }
            unique(entity.fields.map(\.name), "field of '\(entity.name.value)'")
            if entity.fields.count > Schema.maximumCount {
                report(.tooMany, entity.name.location, "more than \(Schema.maximumCount) fields")
            }
            let fields = entity.fields.map { field in
                FieldDeclaration(
                    name: field.name.value, isSpecialCategory: field.special,
                    masks: field.masks.compactMap { mask in
                        guard let known = Mask(rawValue: mask.value) else {
                            report(.unknownMask, mask.location, "unknown mask '\(mask.value)'; masks are \(Mask.allCases.map(\.rawValue).joined(separator: ", "))")
                            return nil
                        }
                        return known
                    })
            }
            entityTypes.append(
                EntityTypeDeclaration(
                    name: entity.name.value, parent: entity.parent?.value,
                    attributes: attributes(entity.attributes, owner: entity.name.value), fields: fields))
        }

        let relations = ast.relations.compactMap { relation -> RelationDeclaration? in
            var known = true
            for type in [relation.subject, relation.object] where !entityNames.contains(type.value) {
                report(.unknownEntityType, type.location, "unknown entity type '\(type.value)'")
                known = false
            }
            guard known else { return nil }
            return RelationDeclaration(
                name: relation.name.value, subjectType: relation.subject.value, objectType: relation.object.value)
        }
        let actions = ast.actions.map { action in
            unique(action.appliesTo, "resource type of '\(action.name.value)'")
            for type in action.appliesTo where !entityNames.contains(type.value) {
                report(.unknownEntityType, type.location, "unknown entity type '\(type.value)'")
            }
            return ActionDeclaration(name: action.name.value, appliesTo: action.appliesTo.map(\.value))
        }
        let roles = ast.roles.map { role in
            for attribute in role.attributes where attribute.name.value == "role" {
                report(.duplicateDeclaration, attribute.name.location, "'role' is a built-in principal attribute")
            }
            return RoleDeclaration(name: role.name.value, attributes: attributes(role.attributes, owner: role.name.value))
        }
        return Schema(
            roles: roles, entityTypes: entityTypes, relations: relations, actions: actions,
            purposes: ast.purposes.map { PurposeDeclaration(name: $0.name.value, summary: $0.summary) },
            enumerations: ast.enumerations.map {
                EnumDeclaration(name: $0.name.value, members: $0.members.map(\.value))
            })
    }
}
