import Policy
import Testing

/// One policy text the checker must refuse, and where and why.
struct Refusal: CustomStringConvertible, Sendable {
    var name: String
    var policy: String
    var code: PolicyDiagnostic.Code
    var line: Int
    var column: Int

    var description: String { name }
}

@Suite("Schema checking of rules")
struct CheckerTests {
    static let refusals: [Refusal] = [
        Refusal(
            name: "unknown role", policy: #"@id("r") permit (principal is clark, action == read, resource is record);"#,
            code: .unknownRole, line: 1, column: 31),
        Refusal(
            name: "unknown action", policy: #"@id("r") permit (principal, action == rid, resource is record);"#,
            code: .unknownAction, line: 1, column: 39),
        Refusal(
            name: "unknown resource type", policy: #"@id("r") permit (principal, action, resource is recrd);"#,
            code: .unknownResourceType, line: 1, column: 49),
        Refusal(
            name: "entity that is not a resource type", policy: #"@id("r") permit (principal, action, resource is group);"#,
            code: .unknownResourceType, line: 1, column: 49),
        Refusal(
            name: "unknown purpose",
            policy: #"@id("r") permit (principal, action, resource is record, purpose == fun);"#,
            code: .unknownPurpose, line: 1, column: 68),
        Refusal(
            name: "unknown field", policy: "@id(\"r\")\npermit (principal, action, resource is record)\nfields [nam];",
            code: .unknownField, line: 3, column: 9),
        Refusal(
            name: "unknown mask",
            policy: #"@id("r") permit (principal, action, resource is record) fields [name as blur];"#,
            code: .unknownMask, line: 1, column: 73),
        Refusal(
            name: "mask the field does not admit",
            policy: #"@id("r") permit (principal, action, resource is record) fields [note as initial];"#,
            code: .maskNotAllowed, line: 1, column: 73),
        Refusal(
            name: "forbid with a mask",
            policy: #"@id("r") forbid (principal, action, resource is record) fields [name as initial];"#,
            code: .maskNotAllowed, line: 1, column: 73),
        Refusal(
            name: "special-category field without purposes",
            policy: #"@id("r") permit (principal is clerk, action == read, resource is record) fields [secret];"#,
            code: .purposeRequired, line: 1, column: 82),
        Refusal(
            name: "unknown principal attribute",
            policy: #"@id("r") permit (principal is boss, action, resource is record) when { principal.organisation == resource.school };"#,
            code: .unknownAttribute, line: 1, column: 82),
        Refusal(
            name: "attribute not on every role in scope",
            policy: #"@id("r") permit (principal, action, resource is record) when { principal.organisation == resource.school };"#,
            code: .unknownAttribute, line: 1, column: 74),
        Refusal(
            name: "unknown resource attribute",
            policy: #"@id("r") permit (principal, action, resource is record) when { resource.grade > 3 };"#,
            code: .unknownAttribute, line: 1, column: 73),
        Refusal(
            name: "comparing an entity with a number",
            policy: #"@id("r") permit (principal is clerk, action, resource is record) when { resource.school == 3 };"#,
            code: .typeMismatch, line: 1, column: 89),
        Refusal(
            name: "entities of unrelated types are never equal",
            policy: #"@id("r") permit (principal is clerk, action, resource is record) when { resource.school == principal.user };"#,
            code: .typeMismatch, line: 1, column: 89),
        Refusal(
            name: "ordering strings",
            policy: #"@id("r") permit (principal is clerk, action, resource is record) when { resource.kind < "b" };"#,
            code: .typeMismatch, line: 1, column: 87),
        Refusal(
            name: "condition that is not bool",
            policy: #"@id("r") permit (principal is clerk, action, resource is record) when { resource.level };"#,
            code: .typeMismatch, line: 1, column: 73),
        Refusal(
            name: "enum literal that is not a member",
            policy: #"@id("r") permit (principal is clerk, action, resource is record) when { resource.kind == "gamma" };"#,
            code: .neverMatches, line: 1, column: 87),
        Refusal(
            name: "role test outside the rule's scope",
            policy: #"@id("r") permit (principal is clerk, action, resource is record) when { principal.role == "boss" };"#,
            code: .neverMatches, line: 1, column: 88),
        Refusal(
            name: "action that does not apply to the resource type",
            policy: #"@id("r") permit (principal, action in [read, file], resource is record);"#,
            code: .neverMatches, line: 1, column: 46),
        Refusal(
            name: "resource type no action in scope applies to",
            policy: #"@id("r") permit (principal, action == read, resource in [record, memo]);"#,
            code: .neverMatches, line: 1, column: 66),
        Refusal(
            name: "condition that is always false",
            policy: #"@id("r") permit (principal, action, resource is record) when { 1 == 2 };"#,
            code: .neverMatches, line: 1, column: 66),
        Refusal(
            name: "unless that is always true",
            policy: #"@id("r") permit (principal, action, resource is record) unless { true || false };"#,
            code: .neverMatches, line: 1, column: 71),
        Refusal(
            name: "empty set",
            policy: #"@id("r") permit (principal is clerk, action, resource is record) when { resource.level in [] };"#,
            code: .neverMatches, line: 1, column: 88),
        Refusal(
            name: "relationship chain of three steps",
            policy: #"@id("r") permit (principal is boss, action, resource is record) when { principal.user in resource.member_of.led_by.member_of };"#,
            code: .chainTooLong, line: 1, column: 116),
        Refusal(
            name: "relation starting from the wrong type",
            policy: #"@id("r") permit (principal is boss, action, resource is record) when { principal.user in resource.led_by };"#,
            code: .typeMismatch, line: 1, column: 99),
        Refusal(
            name: "relation ending at the wrong type",
            policy: #"@id("r") permit (principal is clerk, action, resource is record) when { principal.organisation in resource.member_of.led_by };"#,
            code: .typeMismatch, line: 1, column: 73),
        Refusal(
            name: "relation used as an attribute",
            policy: #"@id("r") permit (principal is boss, action, resource is record) when { resource.member_of == resource.member_of };"#,
            code: .typeMismatch, line: 1, column: 81),
        Refusal(
            name: "attribute of a referenced entity",
            policy: #"@id("r") permit (principal is clerk, action, resource is record) when { resource.school.school == resource.school };"#,
            code: .unknownAttribute, line: 1, column: 89),
        Refusal(
            name: "field listed twice",
            policy: #"@id("r") permit (principal, action, resource is record) fields [name, name as initial];"#,
            code: .duplicateDeclaration, line: 1, column: 71),
        Refusal(
            name: "forbid with an empty field list",
            policy: #"@id("r") forbid (principal, action, resource is record) fields [];"#,
            code: .neverMatches, line: 1, column: 57),
        Refusal(
            name: "missing rule id", policy: "permit (principal, action, resource is record);",
            code: .missingRuleID, line: 1, column: 1),
        Refusal(
            name: "duplicate rule id",
            policy: "@id(\"r\") permit (principal, action, resource is record);\n@id(\"r\") forbid (principal, action, resource is record);",
            code: .duplicateRuleID, line: 2, column: 2),
        Refusal(
            name: "unknown annotation", policy: #"@ID("r") permit (principal, action, resource is record);"#,
            code: .unknownAnnotation, line: 1, column: 2),
        Refusal(
            name: "syntax error", policy: #"@id("r") permit (principal, action, resource is record) when { resource.level > };"#,
            code: .unexpectedToken, line: 1, column: 81),
    ]

    @Test("refused with code and file:line:col", arguments: refusals)
    func refused(_ refusal: Refusal) throws {
        let found = diagnostics(schema: miniSchema, policy: refusal.policy)
        let first = try #require(found.first, "\(refusal.name) was accepted")
        #expect(first.code == refusal.code, "\(first)")
        #expect(first.location == SourceLocation(file: "test.policy", line: refusal.line, column: refusal.column), "\(first)")
    }

    @Test("every problem in a set is reported, sorted by location, in file:line:col form")
    func allReported() {
        let found = diagnostics(
            schema: miniSchema,
            policy: """
                @id("a") permit (principal is clark, action, resource is record);
                @id("b") permit (principal, action == rid, resource is record);
                """)
        #expect(found.map(\.code) == [.unknownRole, .unknownAction])
        #expect(found.map(\.description) == [
            "test.policy:1:31: error[unknown_role]: unknown role 'clark'",
            "test.policy:2:39: error[unknown_action]: unknown action 'rid'",
        ])
    }

    @Test("a well-formed rule with every construct is accepted")
    func accepted() throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                // comment
                @id("everything") @doc("all constructs")
                permit (principal in [clerk], action in [read, write], resource is record, purpose in [work, audit])
                fields [name as initial, born as year, note, secret]
                when { resource.school == principal.organisation && (resource.level >= 1 || !(resource.level < 0)) }
                when { resource has kind && resource.kind in ["alpha", "beta"] && principal.role == "clerk" }
                unless { context.time > resource.opened + 365 days - 12 hours }
                when { principal.user in resource.member_of.led_by until 3 days after };
                """)
        #expect(policies.rules.map(\.id) == ["everything"])
        #expect(policies.rules.first?.documentation == "all constructs")
    }

    @Test(
        "schema problems are refused with their location",
        arguments: [
            ("entity a; entity a;", PolicyDiagnostic.Code.duplicateDeclaration, 1, 18),
            ("entity a { attributes { x: colour; } }", .unknownType, 1, 28),
            ("entity a { fields { x masks [blur]; } }", .unknownMask, 1, 30),
            ("entity a : b;", .unknownEntityType, 1, 12),
            ("entity a; entity b : a; entity c : b;", .typeMismatch, 1, 36),
            ("relation r: a -> b;", .unknownEntityType, 1, 13),
            ("action read on [nothing];", .unknownEntityType, 1, 17),
            ("role r { role: string; }", .duplicateDeclaration, 1, 10),
            ("enum bool { a }", .duplicateDeclaration, 1, 6),
            ("entity a { fields { x; x; } }", .duplicateDeclaration, 1, 24),
            ("purpose p;", .unexpectedToken, 1, 10),
        ])
    func schemaRefused(schema: String, code: PolicyDiagnostic.Code, line: Int, column: Int) throws {
        let found = diagnostics(schema: schema, policy: "")
        let first = try #require(found.first)
        #expect(first.code == code, "\(first)")
        #expect(first.location == SourceLocation(file: "test.schema", line: line, column: column), "\(first)")
    }

    @Test("a policy set without a schema is refused")
    func missingSchema() {
        #expect(throws: PolicyLoadError.self) {
            try PolicySet.compile([SourceFile(path: "a.policy", text: "")], hasher: SHA256VersionHasher())
        }
        do {
            _ = try PolicySet.compile([SourceFile(path: "a.policy", text: "")], hasher: SHA256VersionHasher())
        } catch {
            #expect(error.code == .missingSchema)
        }
    }

    @Test("the repository's policies pass the check")
    func repositoryPoliciesCheck() throws {
        let policies = try realPolicies()
        #expect(policies.rules.count >= 40)
        #expect(policies.schema.roles.map(\.name) == [
            "operator", "regional_coordinator", "school", "venue", "navigator", "mentor", "methodologist", "pupil",
            "compliance_officer", "security_admin", "service",
        ])
    }
}
