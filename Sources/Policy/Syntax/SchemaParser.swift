/// Parses `.schema` files:
///
/// ```
/// enum service_name { assessment, trials, recommendations }
/// entity school : organisation;
/// entity pupil {
///     attributes { school: school; region: region; }
///     fields { surname masks [initial]; disability_status special; }
/// }
/// relation assigned_navigator: pupil -> user;
/// action read on [pupil, guardian];
/// purpose enrolment "Registering pupils and enrolling them in events.";
/// role school { user: user; organisation: school; region: region; }
/// ```
/// Stops at the first syntax error of a file; never traps.
struct SchemaParser {
    private var cursor: TokenCursor

    /// Adds the declarations of `source` to `schema`, or reports the first syntax error.
    static func parse(_ source: SourceFile, into schema: inout SchemaAST) throws(PolicyDiagnostic) {
        var parser = SchemaParser(cursor: TokenCursor(file: source.path, tokens: try Lexer.tokens(of: source)))
        while !parser.cursor.atEnd {
            try parser.declaration(into: &schema)
        }
    }

    private mutating func declaration(into schema: inout SchemaAST) throws(PolicyDiagnostic) {
        if cursor.take(word: "enum") {
            let name = try cursor.name("an enum name")
            try cursor.expect(symbol: "{")
            var members: [Located<String>] = []
            repeat {
                if cursor.current.isSymbol("}") { break }
                members.append(try cursor.name("an enum member"))
            } while cursor.take(symbol: ",")
            try cursor.expect(symbol: "}")
            _ = cursor.take(symbol: ";")
            schema.enumerations.append(SchemaAST.Enumeration(name: name, members: members))
        } else if cursor.take(word: "entity") {
            let name = try cursor.name("an entity type name")
            var parent: Located<String>?
            if cursor.take(symbol: ":") { parent = try cursor.name("a parent entity type") }
            var entity = SchemaAST.Entity(name: name, parent: parent, attributes: [], fields: [])
            if cursor.take(symbol: "{") {
                while !cursor.take(symbol: "}") {
                    if cursor.take(word: "attributes") {
                        entity.attributes += try attributeBlock()
                    } else if cursor.take(word: "fields") {
                        entity.fields += try fieldBlock()
                    } else {
                        throw cursor.error("'attributes', 'fields' or '}'")
                    }
                }
                _ = cursor.take(symbol: ";")
            } else {
                try cursor.expect(symbol: ";")
            }
            schema.entities.append(entity)
        } else if cursor.take(word: "relation") {
            let name = try cursor.name("a relation name")
            try cursor.expect(symbol: ":")
            let subject = try cursor.name("the subject entity type")
            try cursor.expect(symbol: "->")
            let object = try cursor.name("the object entity type")
            try cursor.expect(symbol: ";")
            schema.relations.append(SchemaAST.Relation(name: name, subject: subject, object: object))
        } else if cursor.take(word: "action") {
            let name = try cursor.name("an action name")
            try cursor.expect(word: "on")
            let types = try cursor.nameList("a resource type")
            try cursor.expect(symbol: ";")
            schema.actions.append(SchemaAST.Action(name: name, appliesTo: types))
        } else if cursor.take(word: "purpose") {
            let name = try cursor.name("a purpose name")
            let summary = try cursor.string("a quoted description of the purpose")
            try cursor.expect(symbol: ";")
            schema.purposes.append(SchemaAST.Purpose(name: name, summary: summary.value))
        } else if cursor.take(word: "role") {
            let name = try cursor.name("a role name")
            var attributes: [SchemaAST.Attribute] = []
            if cursor.current.isSymbol("{") {
                attributes = try attributeBlock()
                _ = cursor.take(symbol: ";")
            } else {
                try cursor.expect(symbol: ";")
            }
            schema.roles.append(SchemaAST.Role(name: name, attributes: attributes))
        } else {
            throw cursor.error("'enum', 'entity', 'relation', 'action', 'purpose' or 'role'")
        }
    }

    /// `{ name: type; other?: type; }`
    private mutating func attributeBlock() throws(PolicyDiagnostic) -> [SchemaAST.Attribute] {
        try cursor.expect(symbol: "{")
        var attributes: [SchemaAST.Attribute] = []
        while !cursor.take(symbol: "}") {
            let name = try cursor.name("an attribute name")
            let optional = cursor.take(symbol: "?")
            try cursor.expect(symbol: ":")
            let type = try cursor.name("a type")
            try cursor.expect(symbol: ";")
            attributes.append(SchemaAST.Attribute(name: name, optional: optional, type: type))
        }
        return attributes
    }

    /// `{ surname masks [initial]; disability_status special; grade; }`
    private mutating func fieldBlock() throws(PolicyDiagnostic) -> [SchemaAST.Field] {
        try cursor.expect(symbol: "{")
        var fields: [SchemaAST.Field] = []
        while !cursor.take(symbol: "}") {
            let name = try cursor.name("a field name")
            var field = SchemaAST.Field(name: name, special: false, masks: [])
            while !cursor.take(symbol: ";") {
                if cursor.take(word: "special") {
                    field.special = true
                } else if cursor.take(word: "masks") {
                    field.masks += try cursor.nameList("a mask")
                } else {
                    throw cursor.error("'special', 'masks' or ';'")
                }
            }
            fields.append(field)
        }
        return fields
    }
}
