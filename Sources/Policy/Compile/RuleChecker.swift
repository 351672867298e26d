/// Checks one parsed rule against the schema and compiles it.
///
/// Refuses, with the location of the offending name: unknown roles, actions, resource types,
/// purposes, attributes, fields, relations and masks; type errors; rules (or parts of rules) that
/// can never match; relationship chains longer than two steps; permits that grant
/// special-category fields without naming purposes.
struct RuleChecker {
    static let maximumChain = 2
    static let annotations: Set<String> = ["id", "doc"]

    let schema: Schema

    /// The compiled rule, or the first problem found in it.
    func check(_ rule: RuleAST) throws(PolicyDiagnostic) -> CompiledRule {
        for (key, value) in rule.annotations where !RuleChecker.annotations.contains(key) {
            throw PolicyDiagnostic(.unknownAnnotation, at: value.location, "unknown annotation @\(key); use @id or @doc")
        }
        guard let id = rule.annotations["id"] else {
            throw PolicyDiagnostic(.missingRuleID, at: rule.location, "every rule needs an @id(\"…\") annotation")
        }
        guard !id.value.isEmpty else {
            throw PolicyDiagnostic(.missingRuleID, at: id.location, "a rule id cannot be empty")
        }

        // Principal scope.
        var roles: [Int] = []
        if let names = rule.principal.names {
            for name in names {
                guard let role = schema.roleIDs[name.value] else {
                    throw PolicyDiagnostic(.unknownRole, at: name.location, "unknown role '\(name.value)'")
                }
                if !roles.contains(role) { roles.append(role) }
            }
        } else {
            roles = Array(schema.roles.indices)
        }
        guard !roles.isEmpty else {
            throw PolicyDiagnostic(.neverMatches, at: rule.principalLocation, "the schema declares no roles")
        }

        // Action and resource scope: the (action, type) pairs the rule can apply to.
        var actions: [Int] = []
        if let names = rule.action.names {
            for name in names {
                guard let action = schema.actionIDs[name.value] else {
                    throw PolicyDiagnostic(.unknownAction, at: name.location, "unknown action '\(name.value)'")
                }
                if !actions.contains(action) { actions.append(action) }
            }
        } else {
            actions = Array(schema.actions.indices)
        }
        let resourceTypes = Set(schema.resourceTypes)
        var types: [Int] = []
        if let names = rule.resource.names {
            for name in names {
                guard let type = schema.entityIDs[name.value], resourceTypes.contains(name.value) else {
                    throw PolicyDiagnostic(
                        .unknownResourceType, at: name.location,
                        schema.entityIDs[name.value] == nil
                            ? "unknown resource type '\(name.value)'"
                            : "no action applies to '\(name.value)', so it is not a resource type")
                }
                if !types.contains(type) { types.append(type) }
            }
        } else {
            types = schema.entityTypes.indices.filter { resourceTypes.contains(schema.entityTypes[$0].name) }
        }
        var pairs: [(action: Int, type: Int)] = []
        for action in actions {
            for type in types where schema.actions[action].appliesTo.contains(schema.entityTypes[type].name) {
                pairs.append((action, type))
            }
        }
        if let names = rule.action.names {
            for name in names where !pairs.contains(where: { schema.actions[$0.action].name == name.value }) {
                throw PolicyDiagnostic(
                    .neverMatches, at: name.location,
                    "action '\(name.value)' applies to none of the rule's resource types, so this part never matches")
            }
        }
        if let names = rule.resource.names {
            for name in names where !pairs.contains(where: { schema.entityTypes[$0.type].name == name.value }) {
                throw PolicyDiagnostic(
                    .neverMatches, at: name.location,
                    "none of the rule's actions applies to '\(name.value)', so this part never matches")
            }
        }
        guard !pairs.isEmpty else {
            throw PolicyDiagnostic(.neverMatches, at: rule.actionLocation, "no action in scope applies to any resource type in scope")
        }
        var scopeTypes: [Int] = []
        for pair in pairs where !scopeTypes.contains(pair.type) { scopeTypes.append(pair.type) }

        // Purpose scope.
        var purposeMask: UInt64 = 0
        if let names = rule.purpose.names {
            for name in names {
                guard let purpose = schema.purposeIDs[name.value] else {
                    throw PolicyDiagnostic(.unknownPurpose, at: name.location, "unknown purpose '\(name.value)'")
                }
                purposeMask |= 1 << UInt64(purpose)
            }
        } else {
            purposeMask = UInt64.max
        }

        // Fields.
        var fields: [Int: FieldGrant]?
        if let grants = rule.fields {
            if grants.isEmpty, rule.effect == .forbid, let location = rule.fieldsLocation {
                throw PolicyDiagnostic(
                    .neverMatches, at: location, "a forbid rule with an empty field list never matches; leave the clause out")
            }
            var listed = Set<String>()
            for item in grants where !listed.insert(item.name.value).inserted {
                throw PolicyDiagnostic(
                    .duplicateDeclaration, at: item.name.location, "field '\(item.name.value)' is listed twice")
            }
            var byType: [Int: FieldGrant] = [:]
            for type in scopeTypes {
                let declaration = schema.entityTypes[type]
                var grant = FieldGrant()
                for item in grants {
                    guard let fieldID = schema.fieldIDs[type][item.name.value] else {
                        throw PolicyDiagnostic(
                            .unknownField, at: item.name.location,
                            "resource type '\(declaration.name)' has no field '\(item.name.value)'")
                    }
                    let field = declaration.fields[fieldID]
                    let bit: UInt64 = 1 << UInt64(fieldID)
                    grant.any |= bit
                    if let maskName = item.mask {
                        guard let mask = Mask(rawValue: maskName.value) else {
                            throw PolicyDiagnostic(.unknownMask, at: maskName.location, "unknown mask '\(maskName.value)'")
                        }
                        guard rule.effect == .permit else {
                            throw PolicyDiagnostic(.maskNotAllowed, at: maskName.location, "a forbid rule names fields without masks")
                        }
                        guard field.masks.contains(mask) else {
                            throw PolicyDiagnostic(
                                .maskNotAllowed, at: maskName.location,
                                "field '\(field.name)' of '\(declaration.name)' does not admit mask '\(mask.rawValue)'")
                        }
                        grant.add(bit, masked: mask)
                    } else {
                        grant.plain |= bit
                    }
                    if field.isSpecialCategory, rule.effect == .permit, rule.purpose.names == nil {
                        throw PolicyDiagnostic(
                            .purposeRequired, at: item.name.location,
                            "field '\(field.name)' is special-category data; a permit granting it must name its purposes")
                    }
                }
                byType[type] = grant
            }
            fields = byType
        }

        // Conditions.
        var typer = ExpressionTyper(schema: schema, roles: roles, types: scopeTypes)
        var condition: Node?
        for clause in rule.conditions {
            let typed = try typer.check(clause.expression)
            guard case .bool = typed.type else {
                throw PolicyDiagnostic(
                    .typeMismatch, at: clause.expression.location, "a condition must be bool, not \(typed.type)")
            }
            if case .bool(let constant)? = typed.constant {
                if constant != clause.isWhen {
                    throw PolicyDiagnostic(
                        .neverMatches, at: clause.expression.location,
                        "this \(clause.isWhen ? "when" : "unless") condition is always \(constant), so the rule never matches")
                }
                continue
            }
            let node = clause.isWhen ? typed.node : Node.not(typed.node)
            condition = condition.map { Node.and($0, node) } ?? node
        }

        var roleMask: UInt64 = 0
        for role in roles { roleMask |= 1 << UInt64(role) }
        return CompiledRule(
            id: id.value, effect: rule.effect, location: rule.location, documentation: rule.annotations["doc"]?.value,
            roleMask: roleMask, purposeMask: purposeMask, condition: condition, pairs: pairs, fields: fields)
    }
}
