import Foundation
import Policy
import Synchronization
import Testing

/// Fail-closed behaviour found missing or unproven in review, one test per fix.
@Suite("Fail closed")
struct FailClosedTests {
    let none = InMemoryRelationships()

    /// Answers `true` to the first `answered` lookups, then throws: a database that fails in the
    /// middle of a decision.
    final class FailingAfter: RelationshipResolver {
        struct Failure: Error {}
        let answered: Int
        let calls = Atomic<Int>(0)

        init(answering answered: Int) { self.answered = answered }

        func holds(_ query: RelationQuery) async throws -> Bool {
            let call = calls.add(1, ordering: .relaxed).newValue
            if call > answered { throw Failure() }
            return true
        }
    }

    let boss = Principal(role: "boss", user: EntityRef("user", "u-boss"))

    // MARK: Evaluation

    @Test("a forbid whose condition fails denies with the error, even though a permit matches")
    func failingForbidDenies() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("open") permit (principal is clerk, action == read, resource is record);
                @id("not-beta") forbid (principal is clerk, action == read, resource is record)
                unless { resource.kind == "alpha" };
                """)
        let decision = await policies.decide(request(), relationships: none)
        #expect(decision.effect == .deny)
        #expect(decision.reason == .evaluationError)
        #expect(decision.errors == [EvaluationError(code: .missingAttribute, ruleID: "not-beta", detail: "resource.kind is missing")])
        #expect(await policies.decide(request(record(kind: "alpha")), relationships: none).effect == .allow)
    }

    @Test("a resolver that fails partway through a decision denies: in a later permit, and in a forbid")
    func resolverFailingMidway() async throws {
        let permits = try compile(
            schema: miniSchema,
            policy: """
                @id("lead") permit (principal is boss, action == read, resource is record)
                when { principal.user in resource.member_of.led_by };
                @id("lead-late") permit (principal is boss, action == read, resource is record)
                when { principal.user in resource.member_of.led_by until 1 days after };
                """)
        let afterOne = await permits.decide(request(boss), relationships: FailingAfter(answering: 1))
        #expect(afterOne.effect == .deny)
        #expect(afterOne.reason == .evaluationError)
        #expect(afterOne.errors.map(\.code) == [.relationshipLookupFailed])
        #expect(afterOne.errors.map(\.ruleID) == ["lead-late"])
        #expect(await permits.decide(request(boss), relationships: FailingAfter(answering: 2)).effect == .allow)

        let guarded = try compile(
            schema: miniSchema,
            policy: """
                @id("open") permit (principal is boss, action == read, resource is record);
                @id("members-only") forbid (principal is boss, action == read, resource is record)
                unless { principal.user in resource.member_of.led_by };
                """)
        let failed = await guarded.decide(request(boss), relationships: FailingAfter(answering: 0))
        #expect(failed.effect == .deny)
        #expect(failed.reason == .evaluationError)
        #expect(failed.errors.map(\.ruleID) == ["members-only"])
        #expect(await guarded.decide(request(boss), relationships: FailingAfter(answering: 1)).effect == .allow)
    }

    @Test("explain decides exactly like decide, also when a forbid and a permit both fail")
    func explainMatchesDecide() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("kind-permit") permit (principal is clerk, action == read, resource is record)
                when { resource.kind == "alpha" };
                @id("kind-forbid") forbid (principal is clerk, action == read, resource is record)
                when { resource.kind == "beta" };
                """)
        let decided = await policies.decide(request(), relationships: none)
        let explained = await policies.explain(request(), relationships: none)
        #expect(explained.decision == decided)
        #expect(decided.errors.map(\.ruleID) == ["kind-forbid"])
        // The trace still shows what happened to the permit.
        #expect(explained.evaluations.map(\.ruleID) == ["kind-forbid", "kind-permit"])
        #expect(explained.evaluations.allSatisfy { if case .failed = $0.outcome { true } else { false } })

        let real = try realPolicies()
        let suite = try realSuite()
        for testCase in suite.cases {
            let decision = await real.decide(testCase.request, relationships: suite.relationships)
            let explanation = await real.explain(testCase.request, relationships: suite.relationships)
            #expect(explanation.decision == decision, "\(testCase.name)")
        }
    }

    // MARK: Requests

    @Test(
        "requested fields must be declared and distinct; the error never repeats an undeclared name",
        arguments: [
            (["name", "name"], "field 'name' is requested twice"),
            (["note", ""], "requested field 2 is not a field of resource type 'record'"),
            (["Ivanova"], "requested field 1 is not a field of resource type 'record'"),
        ])
    func requestedFields(fields: [String], detail: String) async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: #"@id("p") permit (principal is clerk, action == read, resource is record) fields [name, note];"#)
        let decision = await policies.decide(request(fields: fields), relationships: none)
        #expect(decision.effect == .deny)
        #expect(decision.reason == .invalidRequest)
        #expect(decision.errors == [EvaluationError(code: .invalidRequest, detail: detail)])
        #expect(decision.fields.allSatisfy { $0.treatment == .denied })
    }

    // MARK: Masks

    static let twoMaskSchema = """
        entity user;
        entity card { fields { code masks [initial, year]; label; } }
        action read on [card];
        purpose work "Work.";
        role clerk { user: user; }
        """

    @Test("a field two permits grant with different masks is not granted; mask beats plain")
    func conflictingMasks() async throws {
        let policies = try compile(
            schema: Self.twoMaskSchema,
            policy: """
                @id("initial") permit (principal is clerk, action == read, resource is card) fields [code as initial, label];
                @id("year") permit (principal is clerk, action == read, resource is card) fields [code as year];
                @id("plain") permit (principal is clerk, action == read, resource is card) fields [code, label];
                """)
        let clerk = Principal(role: "clerk", user: EntityRef("user", "u-1"))
        let card = Resource(type: "card", id: "c-1")
        let both = await policies.decide(
            PolicyRequest(principal: clerk, action: "read", resource: card, fields: ["label", "code"], purpose: "work", time: time("2025-01-01")),
            relationships: none)
        #expect(both.effect == .deny)
        #expect(both.reason == .fieldsNotGranted)
        #expect(both.deniedFields == ["code"])
        #expect(both.decidingRules == ["initial", "year", "plain"])

        let label = await policies.decide(
            PolicyRequest(principal: clerk, action: "read", resource: card, fields: ["label"], purpose: "work", time: time("2025-01-01")),
            relationships: none)
        #expect(label.fields == [FieldDecision(name: "label", treatment: .plain)])

        let onlyInitial = try compile(
            schema: Self.twoMaskSchema,
            policy: """
                @id("initial") permit (principal is clerk, action == read, resource is card) fields [code as initial];
                @id("plain") permit (principal is clerk, action == read, resource is card) fields [code];
                """)
        let masked = await onlyInitial.decide(
            PolicyRequest(principal: clerk, action: "read", resource: card, fields: ["code"], purpose: "work", time: time("2025-01-01")),
            relationships: none)
        #expect(masked.fields == [FieldDecision(name: "code", treatment: .masked(.initial))])
    }

    // MARK: Loading and reload

    /// A fresh directory holding `files` (name → bytes); removed by the caller.
    static func directory(_ files: [String: [UInt8]]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("policy-fc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, bytes) in files {
            if name.hasSuffix("/") {
                try FileManager.default.createDirectory(atPath: path + "/" + name, withIntermediateDirectories: true)
            } else {
                try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + name))
            }
        }
        return path
    }

    static let validPolicy = #"@id("read") permit (principal is clerk, action == read, resource is record);"#

    enum BrokenSet: String, CaseIterable, Sendable {
        case schemaError, policyError, unreadableFile, invalidUTF8, nulByte, emptyDirectory, schemaOnly,
            missingDirectory, shadowedPermit
    }

    static func files(_ broken: BrokenSet) -> [String: [UInt8]] {
        let schema = Array(miniSchema.utf8)
        switch broken {
        case .schemaError: return ["s.schema": Array("entity record { fields { name masks [blur]; } }".utf8), "p.policy": Array(validPolicy.utf8)]
        case .policyError: return ["s.schema": schema, "p.policy": Array(#"@id("x") permit (principal is clark, action, resource);"#.utf8)]
        case .unreadableFile: return ["s.schema": schema, "p.policy": Array(validPolicy.utf8), "q.policy/": []]
        case .invalidUTF8: return ["s.schema": schema, "p.policy": Array(validPolicy.utf8) + [0x2F, 0x2F, 0xFF, 0xFE]]
        case .nulByte: return ["s.schema": schema, "p.policy": Array(validPolicy.utf8) + Array("\n// a\0b".utf8)]
        case .emptyDirectory: return [:]
        case .schemaOnly: return ["s.schema": schema]
        case .missingDirectory: return [:]
        case .shadowedPermit:
            return [
                "s.schema": schema,
                "p.policy": Array((validPolicy + "\n" + #"@id("no") forbid (principal is clerk, action, resource is record);"#).utf8),
            ]
        }
    }

    static let expectedCode: [BrokenSet: PolicyDiagnostic.Code] = [
        .schemaError: .unknownMask, .policyError: .unknownRole, .unreadableFile: .unreadableFile,
        .invalidUTF8: .unreadableFile, .nulByte: .unexpectedCharacter, .emptyDirectory: .missingSchema,
        .schemaOnly: .noRules, .missingDirectory: .unreadableFile, .shadowedPermit: .neverMatches,
    ]

    @Test("a reload from an invalid directory keeps the old set in force and says why", arguments: BrokenSet.allCases)
    func reloadKeepsOldSet(broken: BrokenSet) async throws {
        let good = try Self.directory(["s.schema": Array(miniSchema.utf8), "p.policy": Array(Self.validPolicy.utf8)])
        defer { try? FileManager.default.removeItem(atPath: good) }
        let store = try PolicyStore(directory: good, hasher: SHA256VersionHasher())
        let before = store.current.version

        var bad = try Self.directory(Self.files(broken))
        defer { try? FileManager.default.removeItem(atPath: bad) }
        if broken == .missingDirectory { bad += "/missing" }
        let error = #expect(throws: PolicyLoadError.self) { try store.reload(from: bad) }
        #expect(error?.code == Self.expectedCode[broken], "\(error?.description ?? "accepted")")
        #expect(store.current.version == before)
        #expect(await store.decide(request(), relationships: none).effect == .allow)
        #expect(await store.decide(request(), relationships: none).policyVersion == before)
    }

    @Test("sources that would share canonical bytes with another set are refused, so versions never collide")
    func noCanonicalCollision() throws {
        let schema = SourceFile(path: "s.schema", text: miniSchema)
        let rules = #"@id("read") permit (principal is clerk, action == read, resource is record);"#
        // Without the NUL check, these two sets would hash the same bytes: "a.policy\0// x\0b.policy\0<rules>\0".
        let smuggled = [schema, SourceFile(path: "a.policy", text: "// x\0b.policy\0" + rules + "\n@id(\"w\") permit (principal is clerk, action == write, resource is record);")]
        let error = #expect(throws: PolicyLoadError.self) { try PolicySet.compile(smuggled, hasher: SHA256VersionHasher()) }
        #expect(error?.diagnostics.map(\.code) == [.unexpectedCharacter])
        #expect(error?.diagnostics.first?.location == SourceLocation(file: "a.policy", line: 1, column: 5))
        #expect(throws: Never.self) {
            try PolicySet.compile([schema, SourceFile(path: "a.policy", text: "// x"), SourceFile(path: "b.policy", text: rules)], hasher: SHA256VersionHasher())
        }
    }

    @Test("a forbid shadows a permit only when it has no condition, no field list, and covers its whole scope")
    func shadowing() throws {
        let accepted = [
            // The forbid has a condition.
            #"@id("f") forbid (principal is clerk, action, resource is record) when { resource.level > 3 };"#,
            // The forbid names fields, so requests for other fields get through.
            #"@id("f") forbid (principal is clerk, action, resource is record) fields [secret];"#,
            // The forbid covers one of the permit's actions only.
            #"@id("f") forbid (principal is clerk, action == write, resource is record);"#,
            // The forbid covers one of the permit's purposes only.
            #"@id("f") forbid (principal is clerk, action, resource is record, purpose == audit);"#,
            // The forbid covers another role.
            #"@id("f") forbid (principal is boss, action, resource is record);"#,
        ]
        let permit = #"@id("p") permit (principal is clerk, action in [read, write], resource is record);"#
        for forbid in accepted {
            #expect(diagnostics(schema: miniSchema, policy: permit + "\n" + forbid) == [], "\(forbid)")
        }
        let refused = diagnostics(
            schema: miniSchema,
            policy: permit + "\n" + #"@id("f") forbid (principal in [clerk, boss], action, resource is record, purpose in [work, audit]);"#)
        #expect(refused.map(\.code) == [.neverMatches])
        #expect(refused.first?.location == SourceLocation(file: "test.policy", line: 1, column: 10))
        #expect(refused.first?.message.contains("forbid 'f' (test.policy:2:10)") == true)
    }
}
