/// The parsed, unchecked form of a schema file.
struct SchemaAST: Sendable {
    struct Attribute: Sendable {
        var name: Located<String>
        var optional: Bool
        var type: Located<String>
    }

    struct Field: Sendable {
        var name: Located<String>
        var special: Bool
        var masks: [Located<String>]
    }

    struct Enumeration: Sendable {
        var name: Located<String>
        var members: [Located<String>]
    }

    struct Entity: Sendable {
        var name: Located<String>
        var parent: Located<String>?
        var attributes: [Attribute]
        var fields: [Field]
    }

    struct Relation: Sendable {
        var name: Located<String>
        var subject: Located<String>
        var object: Located<String>
    }

    struct Action: Sendable {
        var name: Located<String>
        var appliesTo: [Located<String>]
    }

    struct Purpose: Sendable {
        var name: Located<String>
        var summary: String
    }

    struct Role: Sendable {
        var name: Located<String>
        var attributes: [Attribute]
    }

    var enumerations: [Enumeration] = []
    var entities: [Entity] = []
    var relations: [Relation] = []
    var actions: [Action] = []
    var purposes: [Purpose] = []
    var roles: [Role] = []
}
