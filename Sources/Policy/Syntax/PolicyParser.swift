/// Parses `.policy` files: a sequence of annotated permit/forbid rules.
///
/// ```
/// @id("school.pupil.read")
/// permit (principal is school, action == read, resource is pupil, purpose == enrolment)
/// fields [surname, first_name, birth_date as year]
/// when { resource.school == principal.organisation };
/// ```
/// Stops at the first syntax error of a file and reports it with its location; never traps, and
/// refuses expressions nested deeper than `maximumDepth` (each `&&`, `||` or `+`/`-` in a chain counts
/// as one level, so no input can make the checker or evaluator recurse without bound).
struct PolicyParser {
    static let maximumDepth = 48
    static let maximumConditions = 16

    private var cursor: TokenCursor
    private var depth = 0

    private init(file: String, tokens: [Token]) {
        cursor = TokenCursor(file: file, tokens: tokens)
    }

    /// The rules of `source`, or the first syntax error.
    static func parse(_ source: SourceFile) throws(PolicyDiagnostic) -> [RuleAST] {
        var parser = PolicyParser(file: source.path, tokens: try Lexer.tokens(of: source))
        var rules: [RuleAST] = []
        while !parser.cursor.atEnd {
            rules.append(try parser.rule())
        }
        return rules
    }

    private mutating func rule() throws(PolicyDiagnostic) -> RuleAST {
        var annotations: [String: Located<String>] = [:]
        while cursor.current.isSymbol("@") {
            let at = cursor.location
            _ = cursor.advance()
            let key = try cursor.name("an annotation name")
            try cursor.expect(symbol: "(")
            let value = try cursor.string("a string")
            try cursor.expect(symbol: ")")
            guard annotations[key.value] == nil else {
                throw PolicyDiagnostic(.duplicateClause, at: at, "annotation @\(key.value) given twice")
            }
            annotations[key.value] = Located(value.value, at: key.location)
        }
        let location = cursor.location
        let effect: RuleAST.Effect
        if cursor.take(word: "permit") {
            effect = .permit
        } else if cursor.take(word: "forbid") {
            effect = .forbid
        } else {
            throw cursor.error("'permit' or 'forbid'")
        }
        try cursor.expect(symbol: "(")

        let principalLocation = cursor.location
        try cursor.expect(word: "principal")
        let principal = try membership(equalsAllowed: false, what: "a role")
        try cursor.expect(symbol: ",")
        let actionLocation = cursor.location
        try cursor.expect(word: "action")
        let action = try membership(equalsAllowed: true, what: "an action")
        try cursor.expect(symbol: ",")
        let resourceLocation = cursor.location
        try cursor.expect(word: "resource")
        let resource = try membership(equalsAllowed: false, what: "a resource type")
        var purpose = RuleAST.Constraint.any
        if cursor.take(symbol: ",") {
            let purposeLocation = cursor.location
            try cursor.expect(word: "purpose")
            purpose = try membership(equalsAllowed: true, what: "a purpose")
            if case .any = purpose {
                throw PolicyDiagnostic(
                    .unexpectedToken, at: purposeLocation, "a purpose scope needs '==' or 'in'; leave it out to allow any")
            }
        }
        try cursor.expect(symbol: ")")

        var fields: [RuleAST.FieldGrant]?
        var fieldsLocation: SourceLocation?
        var conditions: [RuleAST.Condition] = []
        while !cursor.take(symbol: ";") {
            let clauseLocation = cursor.location
            if cursor.take(word: "fields") {
                guard fields == nil else {
                    throw PolicyDiagnostic(.duplicateClause, at: clauseLocation, "a rule has one 'fields' clause")
                }
                fields = try fieldGrants()
                fieldsLocation = clauseLocation
            } else if conditions.count >= PolicyParser.maximumConditions,
                cursor.current.isWord("when") || cursor.current.isWord("unless")
            {
                throw PolicyDiagnostic(
                    .tooMany, at: clauseLocation, "a rule has at most \(PolicyParser.maximumConditions) when/unless clauses")
            } else if cursor.take(word: "when") {
                conditions.append(RuleAST.Condition(isWhen: true, expression: try block()))
            } else if cursor.take(word: "unless") {
                conditions.append(RuleAST.Condition(isWhen: false, expression: try block()))
            } else {
                throw cursor.error("'fields', 'when', 'unless' or ';'")
            }
        }
        return RuleAST(
            annotations: annotations, effect: effect, location: location, principal: principal,
            principalLocation: principalLocation, action: action, actionLocation: actionLocation,
            resource: resource, resourceLocation: resourceLocation, purpose: purpose, fields: fields,
            fieldsLocation: fieldsLocation, conditions: conditions)
    }

    /// After `principal`/`action`/`resource`/`purpose`: nothing, `is x` / `== x`, or `in [x, y]`.
    private mutating func membership(equalsAllowed: Bool, what: String) throws(PolicyDiagnostic)
        -> RuleAST.Constraint
    {
        if equalsAllowed ? cursor.take(symbol: "==") : cursor.take(word: "is") {
            return .one(try cursor.name(what))
        }
        if cursor.take(word: "in") {
            let names = try cursor.nameList(what)
            guard !names.isEmpty else { throw cursor.error("at least one name in the list") }
            return .set(names)
        }
        return .any
    }

    private mutating func fieldGrants() throws(PolicyDiagnostic) -> [RuleAST.FieldGrant] {
        try cursor.expect(symbol: "[")
        var grants: [RuleAST.FieldGrant] = []
        if cursor.take(symbol: "]") { return grants }
        repeat {
            let name = try cursor.name("a field")
            var mask: Located<String>?
            if cursor.take(word: "as") {
                mask = try cursor.name("a mask")
            }
            grants.append(RuleAST.FieldGrant(name: name, mask: mask))
        } while cursor.take(symbol: ",")
        try cursor.expect(symbol: "]")
        return grants
    }

    private mutating func block() throws(PolicyDiagnostic) -> ExpressionAST {
        try cursor.expect(symbol: "{")
        let expression = try self.expression()
        try cursor.expect(symbol: "}")
        return expression
    }

    // MARK: Expressions

    private mutating func enter() throws(PolicyDiagnostic) {
        depth += 1
        if depth > PolicyParser.maximumDepth {
            throw PolicyDiagnostic(.nestingTooDeep, at: cursor.location, "expression is nested too deeply")
        }
    }

    private mutating func expression() throws(PolicyDiagnostic) -> ExpressionAST {
        try enter()
        defer { depth -= 1 }
        var left = try conjunction()
        let outer = depth
        defer { depth = outer }
        while cursor.current.isSymbol("||") {
            try enter()
            let location = cursor.location
            _ = cursor.advance()
            let right = try conjunction()
            left = ExpressionAST(kind: .or(left, right), location: location)
        }
        return left
    }

    private mutating func conjunction() throws(PolicyDiagnostic) -> ExpressionAST {
        var left = try unary()
        let outer = depth
        defer { depth = outer }
        while cursor.current.isSymbol("&&") {
            try enter()
            let location = cursor.location
            _ = cursor.advance()
            let right = try unary()
            left = ExpressionAST(kind: .and(left, right), location: location)
        }
        return left
    }

    private mutating func unary() throws(PolicyDiagnostic) -> ExpressionAST {
        if cursor.current.isSymbol("!") {
            try enter()
            defer { depth -= 1 }
            let location = cursor.location
            _ = cursor.advance()
            return ExpressionAST(kind: .not(try unary()), location: location)
        }
        return try relation()
    }

    private static let comparisons: Set<String> = ["==", "!=", "<", "<=", ">", ">="]

    private mutating func relation() throws(PolicyDiagnostic) -> ExpressionAST {
        let left = try additive()
        let location = cursor.location
        if cursor.current.kind == .symbol, PolicyParser.comparisons.contains(cursor.current.text) {
            let op = cursor.advance().text
            let right = try additive()
            return ExpressionAST(kind: .compare(op, left, right), location: location)
        }
        if cursor.take(word: "has") {
            let name = try cursor.name("an attribute")
            return ExpressionAST(kind: .has(left, name), location: location)
        }
        if cursor.take(word: "in") {
            if cursor.current.isSymbol("[") {
                _ = cursor.advance()
                var elements: [ExpressionAST] = []
                if !cursor.take(symbol: "]") {
                    repeat {
                        elements.append(try primary())
                    } while cursor.take(symbol: ",")
                    try cursor.expect(symbol: "]")
                }
                return ExpressionAST(kind: .inSet(left, elements), location: location)
            }
            let path = try postfix()
            var grace: Int64 = 0
            if cursor.take(word: "until") {
                grace = try duration()
                try cursor.expect(word: "after")
            }
            return ExpressionAST(kind: .inPath(left, path, grace: grace), location: location)
        }
        return left
    }

    private mutating func additive() throws(PolicyDiagnostic) -> ExpressionAST {
        var left = try postfix()
        let outer = depth
        defer { depth = outer }
        while cursor.current.isSymbol("+") || cursor.current.isSymbol("-") {
            try enter()
            let location = cursor.location
            let negative = cursor.advance().text == "-"
            let seconds = try duration()
            left = ExpressionAST(kind: .shift(left, negative ? -seconds : seconds), location: location)
        }
        return left
    }

    /// `N days` or `N hours`, in seconds; at most 100 years.
    private mutating func duration() throws(PolicyDiagnostic) -> Int64 {
        let amount = try cursor.integer("a number of days or hours")
        let unit = try cursor.name("'days' or 'hours'")
        let perUnit: Int64
        switch unit.value {
        case "day", "days": perUnit = 86_400
        case "hour", "hours": perUnit = 3_600
        default:
            throw PolicyDiagnostic(.unexpectedToken, at: unit.location, "expected 'days' or 'hours'")
        }
        guard amount.value <= 36_500 * 24 else {
            throw PolicyDiagnostic(.invalidNumber, at: amount.location, "duration is longer than 100 years")
        }
        return amount.value * perUnit
    }

    private mutating func postfix() throws(PolicyDiagnostic) -> ExpressionAST {
        var base = try primary()
        var steps = 0
        while cursor.current.isSymbol(".") {
            let location = cursor.location
            _ = cursor.advance()
            let name = try cursor.name("an attribute or relation")
            base = ExpressionAST(kind: .member(base, name), location: base.location)
            steps += 1
            if steps > PolicyParser.maximumDepth {
                throw PolicyDiagnostic(.nestingTooDeep, at: location, "member chain is too long")
            }
        }
        return base
    }

    private mutating func primary() throws(PolicyDiagnostic) -> ExpressionAST {
        let token = cursor.current
        let location = cursor.location
        switch token.kind {
        case .integer:
            _ = cursor.advance()
            return ExpressionAST(kind: .long(token.integer), location: location)
        case .string:
            _ = cursor.advance()
            return ExpressionAST(kind: .string(token.text), location: location)
        case .identifier:
            switch token.text {
            case "true", "false":
                _ = cursor.advance()
                return ExpressionAST(kind: .bool(token.text == "true"), location: location)
            case "principal", "resource", "context":
                _ = cursor.advance()
                return ExpressionAST(kind: .variable(token.text), location: location)
            case "timestamp" where cursor.peek(1).kind == .string:
                _ = cursor.advance()
                let text = try cursor.string("a timestamp")
                guard let time = Timestamp(iso8601: text.value) else {
                    throw PolicyDiagnostic(
                        .invalidTimestamp, at: text.location, "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z")
                }
                return ExpressionAST(kind: .timestamp(time), location: location)
            default:
                throw cursor.error("an expression")
            }
        case .symbol where token.text == "(":
            _ = cursor.advance()
            let inner = try expression()
            try cursor.expect(symbol: ")")
            return inner
        default:
            throw cursor.error("an expression")
        }
    }
}
