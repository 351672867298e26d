/// Type-checks a condition expression in the scope of one rule and compiles it to a `Node`.
///
/// `principal.x` must be declared for every role in the rule's scope, and `resource.x` for every
/// resource type in scope, with one type. Attributes of other entities are not available (the
/// engine has no entity store); they are reached only through relations on the right of `in`.
struct ExpressionTyper {
    struct Typed {
        var node: Node
        var type: AttributeType
        /// Set when the expression is a constant.
        var constant: Value?
    }

    let schema: Schema
    let roles: [Int]
    let types: [Int]

    // MARK: Attribute lookup in scope

    private func commonAttribute(
        _ name: Located<String>, owners: [Int], table: [[String: AttributeDeclaration]], ownerName: (Int) -> String,
        what: String
    ) throws(PolicyDiagnostic) -> AttributeDeclaration {
        var found: AttributeDeclaration?
        for owner in owners {
            guard let attribute = table[owner][name.value] else {
                throw PolicyDiagnostic(
                    .unknownAttribute, at: name.location,
                    "\(what) '\(ownerName(owner))' has no attribute '\(name.value)'")
            }
            if let previous = found {
                guard previous.type == attribute.type else {
                    throw PolicyDiagnostic(
                        .typeMismatch, at: name.location,
                        "attribute '\(name.value)' has different types across the rule's scope (\(previous.type), \(attribute.type))")
                }
                if attribute.isOptional { found = attribute }
            } else {
                found = attribute
            }
        }
        return found!
    }

    private func principalAttribute(_ name: Located<String>) throws(PolicyDiagnostic) -> AttributeDeclaration {
        try commonAttribute(
            name, owners: roles, table: schema.roleAttributes, ownerName: { schema.roles[$0].name }, what: "role")
    }

    private func resourceAttribute(_ name: Located<String>) throws(PolicyDiagnostic) -> AttributeDeclaration {
        try commonAttribute(
            name, owners: types, table: schema.entityAttributes, ownerName: { schema.entityTypes[$0].name },
            what: "resource type")
    }

    private func valueCheck(_ type: AttributeType) -> ValueCheck {
        switch type {
        case .bool: return .bool
        case .long: return .long
        case .string: return .string
        case .timestamp: return .timestamp
        case .entity(let name): return .entity(schema.acceptedTypes(name))
        case .enumeration(let name): return .enumeration(schema.enumerationsByName[name]?.members ?? [])
        }
    }

    // MARK: Expressions

    mutating func check(_ expression: ExpressionAST) throws(PolicyDiagnostic) -> Typed {
        let location = expression.location
        switch expression.kind {
        case .bool(let value):
            return Typed(node: .constant(.bool(value)), type: .bool, constant: .bool(value))
        case .long(let value):
            return Typed(node: .constant(.long(value)), type: .long, constant: .long(value))
        case .string(let value):
            return Typed(node: .constant(.string(value)), type: .string, constant: .string(value))
        case .timestamp(let value):
            return Typed(node: .constant(.timestamp(value)), type: .timestamp, constant: .timestamp(value))

        case .variable(let name):
            switch name {
            case "resource":
                guard types.count == 1 else {
                    throw PolicyDiagnostic(
                        .typeMismatch, at: location,
                        "'resource' has several types in this rule; narrow it with 'resource is T'")
                }
                return Typed(node: .resourceEntity, type: .entity(schema.entityTypes[types[0]].name))
            case "principal":
                throw PolicyDiagnostic(
                    .typeMismatch, at: location, "'principal' is not a value; use one of its attributes, e.g. principal.user")
            default:
                throw PolicyDiagnostic(.typeMismatch, at: location, "'context' is not a value; use context.time")
            }

        case .member(let base, let name):
            if case .variable(let variable) = base.kind {
                switch variable {
                case "principal":
                    if name.value == "role" { return Typed(node: .principalRole, type: .enumeration("role")) }
                    try refuseRelation(name)
                    let attribute = try principalAttribute(name)
                    return Typed(node: .principalAttribute(name.value, valueCheck(attribute.type)), type: attribute.type)
                case "resource":
                    try refuseRelation(name)
                    let attribute = try resourceAttribute(name)
                    return Typed(node: .resourceAttribute(name.value, valueCheck(attribute.type)), type: attribute.type)
                default:
                    guard name.value == "time" else {
                        throw PolicyDiagnostic(.unknownAttribute, at: name.location, "context has only 'time'")
                    }
                    return Typed(node: .contextTime, type: .timestamp)
                }
            }
            let typed = try check(base)
            try refuseRelation(name)
            if case .entity(let type) = typed.type, schema.entityType(named: type)?.attributes.contains(where: { $0.name == name.value }) == true {
                throw PolicyDiagnostic(
                    .unknownAttribute, at: name.location,
                    "attributes of a referenced '\(type)' are not available; only principal and resource attributes are")
            }
            throw PolicyDiagnostic(.unknownAttribute, at: name.location, "\(typed.type) has no attribute '\(name.value)'")

        case .has(let base, let name):
            guard case .variable(let variable) = base.kind, variable != "context" else {
                throw PolicyDiagnostic(.typeMismatch, at: location, "'has' applies to principal or resource")
            }
            let owners = variable == "principal" ? roles : types
            let table = variable == "principal" ? schema.roleAttributes : schema.entityAttributes
            guard owners.contains(where: { table[$0][name.value] != nil }) else {
                throw PolicyDiagnostic(
                    .unknownAttribute, at: name.location, "no \(variable) in this rule's scope has attribute '\(name.value)'")
            }
            return Typed(node: variable == "principal" ? .principalHas(name.value) : .resourceHas(name.value), type: .bool)

        case .not(let inner):
            let typed = try check(inner)
            try expectBool(typed, inner.location)
            if case .bool(let value)? = typed.constant {
                return Typed(node: .constant(.bool(!value)), type: .bool, constant: .bool(!value))
            }
            return Typed(node: .not(typed.node), type: .bool)

        case .and(let left, let right), .or(let left, let right):
            let isAnd: Bool
            if case .and = expression.kind { isAnd = true } else { isAnd = false }
            let lhs = try check(left)
            try expectBool(lhs, left.location)
            let rhs = try check(right)
            try expectBool(rhs, right.location)
            if case .bool(let a)? = lhs.constant, case .bool(let b)? = rhs.constant {
                let value = isAnd ? (a && b) : (a || b)
                return Typed(node: .constant(.bool(value)), type: .bool, constant: .bool(value))
            }
            return Typed(node: isAnd ? .and(lhs.node, rhs.node) : .or(lhs.node, rhs.node), type: .bool)

        case .compare(let op, let left, let right):
            let lhs = try check(left)
            let rhs = try check(right)
            if op == "==" || op == "!=" {
                try comparable(lhs, rhs, at: location, equality: op == "==")
                if let a = lhs.constant, let b = rhs.constant {
                    let value = (a == b) == (op == "==")
                    return Typed(node: .constant(.bool(value)), type: .bool, constant: .bool(value))
                }
                return Typed(node: op == "==" ? .equal(lhs.node, rhs.node) : .notEqual(lhs.node, rhs.node), type: .bool)
            }
            switch (lhs.type, rhs.type) {
            case (.long, .long), (.timestamp, .timestamp): break
            default:
                throw PolicyDiagnostic(
                    .typeMismatch, at: location, "'\(op)' compares two longs or two timestamps, not \(lhs.type) and \(rhs.type)")
            }
            let node: Node
            switch op {
            case "<": node = .less(lhs.node, rhs.node)
            case "<=": node = .lessOrEqual(lhs.node, rhs.node)
            case ">": node = .less(rhs.node, lhs.node)
            default: node = .lessOrEqual(rhs.node, lhs.node)
            }
            return Typed(node: node, type: .bool)

        case .inSet(let left, let elements):
            let lhs = try check(left)
            guard !elements.isEmpty else {
                throw PolicyDiagnostic(.neverMatches, at: location, "membership in an empty set is never true")
            }
            var values: [Value] = []
            for element in elements {
                let typed = try check(element)
                guard let constant = typed.constant else {
                    throw PolicyDiagnostic(.typeMismatch, at: element.location, "a set holds literals only")
                }
                try comparable(lhs, typed, at: element.location, equality: true)
                values.append(constant)
            }
            if let constant = lhs.constant {
                let value = values.contains(constant)
                return Typed(node: .constant(.bool(value)), type: .bool, constant: .bool(value))
            }
            return Typed(node: .member(lhs.node, values), type: .bool)

        case .inPath(let left, let path, let grace):
            let lhs = try check(left)
            let (subject, steps) = try relationPath(path)
            guard case .entity(let objectType) = lhs.type else {
                throw PolicyDiagnostic(.typeMismatch, at: left.location, "the left of a relationship test must be an entity, not \(lhs.type)")
            }
            let last = steps[steps.count - 1]
            guard schema.compatible(objectType, last.objectType) else {
                throw PolicyDiagnostic(
                    .typeMismatch, at: left.location,
                    "relation '\(last.name)' leads to '\(last.objectType)', which can never be a '\(objectType)'")
            }
            return Typed(
                node: .related(
                    subject: subject, first: steps[0].name, second: steps.count > 1 ? steps[1].name : nil,
                    object: lhs.node, grace: grace),
                type: .bool)

        case .shift(let base, let seconds):
            let typed = try check(base)
            guard case .timestamp = typed.type else {
                throw PolicyDiagnostic(.typeMismatch, at: location, "only timestamps can be shifted by days or hours, not \(typed.type)")
            }
            return Typed(node: .shift(typed.node, seconds), type: .timestamp)
        }
    }

    private func expectBool(_ typed: Typed, _ location: SourceLocation) throws(PolicyDiagnostic) {
        guard case .bool = typed.type else {
            throw PolicyDiagnostic(.typeMismatch, at: location, "expected bool, found \(typed.type)")
        }
    }

    private func refuseRelation(_ name: Located<String>) throws(PolicyDiagnostic) {
        if schema.relationsByName[name.value] != nil {
            throw PolicyDiagnostic(
                .typeMismatch, at: name.location,
                "relation '\(name.value)' can only be tested on the right of 'in', e.g. principal.user in resource.\(name.value)")
        }
    }

    /// Checks that `lhs == rhs` is well typed and can be true.
    private func comparable(_ lhs: Typed, _ rhs: Typed, at location: SourceLocation, equality: Bool) throws(PolicyDiagnostic) {
        switch (lhs.type, rhs.type) {
        case (.bool, .bool), (.long, .long), (.string, .string), (.timestamp, .timestamp):
            return
        case (.entity(let a), .entity(let b)):
            guard schema.compatible(a, b) else {
                throw PolicyDiagnostic(
                    .typeMismatch, at: location, "a '\(a)' is never equal to a '\(b)'")
            }
        case (.enumeration(let a), .enumeration(let b)):
            guard a == b else {
                throw PolicyDiagnostic(.typeMismatch, at: location, "values of '\(a)' and '\(b)' are never equal")
            }
        case (.enumeration(let name), .string), (.string, .enumeration(let name)):
            let literal = lhs.type == .string ? lhs.constant : rhs.constant
            let other = lhs.type == .string ? rhs : lhs
            guard case .string(let text)? = literal else {
                throw PolicyDiagnostic(.typeMismatch, at: location, "compare '\(name)' with a literal member or another '\(name)'")
            }
            let members = schema.enumerationsByName[name]?.members ?? []
            guard members.contains(text) else {
                throw PolicyDiagnostic(
                    .neverMatches, at: location, "\"\(text)\" is not a member of '\(name)' (\(members.joined(separator: ", ")))")
            }
            if equality, case .principalRole = other.node, !roles.contains(where: { schema.roles[$0].name == text }) {
                throw PolicyDiagnostic(
                    .neverMatches, at: location, "role '\(text)' is outside this rule's principal scope, so this is never true")
            }
        default:
            throw PolicyDiagnostic(.typeMismatch, at: location, "cannot compare \(lhs.type) with \(rhs.type)")
        }
    }

    /// Resolves `base.attr.rel1.rel2`: zero or one attribute step on principal or resource, then
    /// one or two relation steps. Returns the subject node and the relation steps.
    private mutating func relationPath(_ path: ExpressionAST) throws(PolicyDiagnostic) -> (Node, [RelationDeclaration]) {
        var names: [Located<String>] = []
        var base = path
        while case .member(let inner, let name) = base.kind {
            names.insert(name, at: 0)
            base = inner
        }
        // Find where the relation steps start: the longest prefix that is a value expression.
        var split = names.count
        while split > 0, schema.relationsByName[names[split - 1].value] != nil {
            split -= 1
        }
        guard split < names.count else {
            throw PolicyDiagnostic(
                .typeMismatch, at: path.location,
                "the right of 'in' must be a set literal [..] or a relationship path such as resource.assigned_navigator")
        }
        var subjectExpression = base
        for name in names[..<split] {
            subjectExpression = ExpressionAST(kind: .member(subjectExpression, name), location: name.location)
        }
        let subject = try check(subjectExpression)
        guard case .entity(var current) = subject.type else {
            throw PolicyDiagnostic(.typeMismatch, at: path.location, "a relationship starts from an entity, not \(subject.type)")
        }
        var steps: [RelationDeclaration] = []
        for name in names[split...] {
            guard steps.count < RuleChecker.maximumChain else {
                throw PolicyDiagnostic(
                    .chainTooLong, at: name.location,
                    "relationship chains are limited to \(RuleChecker.maximumChain) steps")
            }
            let relation = schema.relationsByName[name.value]!
            guard schema.compatible(current, relation.subjectType) else {
                throw PolicyDiagnostic(
                    .typeMismatch, at: name.location,
                    "relation '\(relation.name)' starts from '\(relation.subjectType)', not '\(current)'")
            }
            steps.append(relation)
            current = relation.objectType
        }
        return (subject.node, steps)
    }
}
