/// Parses `.test` files. All files of a suite share one namespace of fixtures and one set of
/// relationship facts.
///
/// ```
/// principal school_a = school { user: user "u-school-a", organisation: school "77-0001", region: region "77" };
/// resource pupil_a1 = pupil "p-a1" { school: school "77-0001", region: region "77" };
/// relation assigned_navigator(pupil "p-a1", user "u-nav-a") from "2025-09-01" until "2026-06-01";
/// relation enrolled_in(pupil "p-a2", event "ev-1") from "2025-09-20" until "2025-10-10" expired "2025-10-01";
///
/// test "school A reads its own pupil" {
///     principal school_a;
///     action read;
///     resource pupil_a1;
///     fields [surname, first_name];
///     purpose enrolment;
///     time "2025-10-01T10:00:00Z";
///     expect allow [surname, first_name];
/// }
/// ```
struct TestFileParser {
    enum PrincipalItem {
        case fixture(Located<String>)
        case inline(Principal)
    }

    enum ResourceItem {
        case fixture(Located<String>)
        case inline(Resource)
    }

    struct RawCase {
        var name: String
        var location: SourceLocation
        var principal: PrincipalItem?
        var action: String?
        var resource: ResourceItem?
        var fields: [String] = []
        var purpose: String?
        var time: Timestamp?
        var expectation: PolicyTestCase.Expectation?
    }

    struct Contents {
        var principals: [String: (Principal, SourceLocation)] = [:]
        var resources: [String: (Resource, SourceLocation)] = [:]
        var relationships: [Relationship] = []
        var cases: [RawCase] = []
    }

    private var cursor: TokenCursor

    /// Adds the declarations of `source` to `contents`, or reports the first problem.
    static func parse(_ source: SourceFile, into contents: inout Contents) throws(PolicyDiagnostic) {
        var parser = TestFileParser(cursor: TokenCursor(file: source.path, tokens: try Lexer.tokens(of: source)))
        while !parser.cursor.atEnd {
            try parser.item(into: &contents)
        }
    }

    private mutating func item(into contents: inout Contents) throws(PolicyDiagnostic) {
        if cursor.take(word: "principal") {
            let name = try cursor.name("a fixture name")
            try cursor.expect(symbol: "=")
            let principal = try principalLiteral()
            try cursor.expect(symbol: ";")
            guard contents.principals[name.value] == nil else {
                throw PolicyDiagnostic(.duplicateDeclaration, at: name.location, "principal '\(name.value)' is declared twice")
            }
            contents.principals[name.value] = (principal, name.location)
        } else if cursor.take(word: "resource") {
            let name = try cursor.name("a fixture name")
            try cursor.expect(symbol: "=")
            let resource = try resourceLiteral()
            try cursor.expect(symbol: ";")
            guard contents.resources[name.value] == nil else {
                throw PolicyDiagnostic(.duplicateDeclaration, at: name.location, "resource '\(name.value)' is declared twice")
            }
            contents.resources[name.value] = (resource, name.location)
        } else if cursor.take(word: "relation") {
            let kind = try cursor.name("a relation name")
            try cursor.expect(symbol: "(")
            let subject = try entityLiteral()
            try cursor.expect(symbol: ",")
            let object = try entityLiteral()
            try cursor.expect(symbol: ")")
            var from: Timestamp?
            var until: Timestamp?
            var expired: Timestamp?
            if cursor.take(word: "from") { from = try timestamp() }
            if cursor.take(word: "until") { until = try timestamp() }
            if cursor.take(word: "expired") { expired = try timestamp() }
            try cursor.expect(symbol: ";")
            contents.relationships.append(
                Relationship(
                    kind.value, subject: subject, object: object, validFrom: from, validUntil: until,
                    expiredAt: expired))
        } else if cursor.current.isWord("test") {
            let location = cursor.location
            _ = cursor.advance()
            let name = try cursor.string("the test's name in quotes")
            try cursor.expect(symbol: "{")
            var raw = RawCase(name: name.value, location: location)
            while !cursor.take(symbol: "}") {
                try testItem(into: &raw)
            }
            contents.cases.append(raw)
        } else {
            throw cursor.error("'principal', 'resource', 'relation' or 'test'")
        }
    }

    private mutating func testItem(into raw: inout RawCase) throws(PolicyDiagnostic) {
        let location = cursor.location
        let keyword = try cursor.name("'principal', 'action', 'resource', 'fields', 'purpose', 'time' or 'expect'")
        switch keyword.value {
        case "principal":
            if cursor.peek(1).isSymbol("{") {
                raw.principal = .inline(try principalLiteral())
            } else {
                raw.principal = .fixture(try cursor.name("a principal fixture"))
            }
        case "action":
            raw.action = try cursor.name("an action").value
        case "resource":
            if cursor.peek(1).kind == .string {
                raw.resource = .inline(try resourceLiteral())
            } else {
                raw.resource = .fixture(try cursor.name("a resource fixture"))
            }
        case "fields":
            raw.fields = try cursor.nameList("a field").map(\.value)
        case "purpose":
            raw.purpose = try cursor.name("a purpose").value
        case "time":
            raw.time = try timestamp()
        case "expect":
            if cursor.take(word: "allow") {
                var fields: [FieldDecision] = []
                if cursor.take(symbol: "[") {
                    if !cursor.take(symbol: "]") {
                        repeat {
                            let field = try cursor.name("a field")
                            var treatment = FieldTreatment.plain
                            if cursor.take(word: "as") {
                                let mask = try cursor.name("a mask")
                                guard let known = Mask(rawValue: mask.value) else {
                                    throw PolicyDiagnostic(.unknownMask, at: mask.location, "unknown mask '\(mask.value)'")
                                }
                                treatment = .masked(known)
                            }
                            fields.append(FieldDecision(name: field.value, treatment: treatment))
                        } while cursor.take(symbol: ",")
                        try cursor.expect(symbol: "]")
                    }
                }
                raw.expectation = .allow(fields)
            } else if cursor.take(word: "deny") {
                var reason: Decision.DenyReason?
                if cursor.current.kind == .identifier {
                    let name = try cursor.name("a deny reason")
                    guard let known = Decision.DenyReason(rawValue: name.value) else {
                        throw PolicyDiagnostic(.unexpectedToken, at: name.location, "unknown deny reason '\(name.value)'")
                    }
                    reason = known
                }
                raw.expectation = .deny(reason)
            } else {
                throw cursor.error("'allow' or 'deny'")
            }
        default:
            throw PolicyDiagnostic(
                .unexpectedToken, at: location,
                "expected 'principal', 'action', 'resource', 'fields', 'purpose', 'time' or 'expect', found '\(keyword.value)'")
        }
        try cursor.expect(symbol: ";")
    }

    /// `role { name: value, … }`
    private mutating func principalLiteral() throws(PolicyDiagnostic) -> Principal {
        let role = try cursor.name("a role")
        return Principal(role: role.value, attributes: try attributes())
    }

    /// `type "id" [{ name: value, … }]`
    private mutating func resourceLiteral() throws(PolicyDiagnostic) -> Resource {
        let entity = try entityLiteral()
        var attributes: [String: Value] = [:]
        if cursor.current.isSymbol("{") { attributes = try self.attributes() }
        return Resource(type: entity.type, id: entity.id, attributes: attributes)
    }

    private mutating func attributes() throws(PolicyDiagnostic) -> [String: Value] {
        try cursor.expect(symbol: "{")
        var attributes: [String: Value] = [:]
        if cursor.take(symbol: "}") { return attributes }
        repeat {
            let name = try cursor.name("an attribute name")
            try cursor.expect(symbol: ":")
            guard attributes[name.value] == nil else {
                throw PolicyDiagnostic(.duplicateDeclaration, at: name.location, "attribute '\(name.value)' given twice")
            }
            attributes[name.value] = try value()
        } while cursor.take(symbol: ",")
        try cursor.expect(symbol: "}")
        return attributes
    }

    private mutating func value() throws(PolicyDiagnostic) -> Value {
        let token = cursor.current
        switch token.kind {
        case .string:
            _ = cursor.advance()
            return .string(token.text)
        case .integer:
            _ = cursor.advance()
            return .long(token.integer)
        case .identifier where token.text == "true" || token.text == "false":
            _ = cursor.advance()
            return .bool(token.text == "true")
        case .identifier where token.text == "timestamp":
            _ = cursor.advance()
            return .timestamp(try timestamp())
        case .identifier:
            return .entity(try entityLiteral())
        default:
            throw cursor.error("a value: a string, a number, true, false, timestamp \"…\" or type \"id\"")
        }
    }

    private mutating func entityLiteral() throws(PolicyDiagnostic) -> EntityRef {
        let type = try cursor.name("an entity type")
        let id = try cursor.string("the entity's id in quotes")
        return EntityRef(type.value, id.value)
    }

    private mutating func timestamp() throws(PolicyDiagnostic) -> Timestamp {
        let text = try cursor.string("a time in quotes")
        guard let time = Timestamp(iso8601: text.value) else {
            throw PolicyDiagnostic(.invalidTimestamp, at: text.location, "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z")
        }
        return time
    }
}
