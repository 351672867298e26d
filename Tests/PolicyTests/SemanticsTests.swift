import Policy
import Testing

@Suite("Decision semantics")
struct SemanticsTests {
    let none = InMemoryRelationships()

    @Test("deny by default: no rule, no access")
    func denyByDefault() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("boss.write") permit (principal is boss, action == write, resource is record);
                """)
        let decision = await policies.decide(request(), relationships: none)
        #expect(decision.effect == .deny)
        #expect(decision.reason == .noMatchingPermit)
        #expect(decision.decidingRules == [])
    }

    @Test("a matching forbid beats every permit")
    func forbidWins() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("p1") permit (principal is clerk, action == read, resource is record) fields [name];
                @id("p2") permit (principal, action, resource is record) fields [name, note];
                @id("f1") forbid (principal is clerk, action == read, resource is record) when { resource.level > 2 };
                """)
        let denied = await policies.decide(request(fields: ["name"]), relationships: none)
        #expect(denied.effect == .deny)
        #expect(denied.reason == .forbidden)
        #expect(denied.decidingRules == ["f1"])
        #expect(denied.fields == [FieldDecision(name: "name", treatment: .denied)])

        let allowed = await policies.decide(request(record(level: 2), fields: ["name"]), relationships: none)
        #expect(allowed.effect == .allow)
        #expect(allowed.decidingRules == ["p1", "p2"])
    }

    @Test("an evaluation error denies even when another permit matches")
    func errorMeansDeny() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("plain") permit (principal is clerk, action == read, resource is record);
                @id("kind") permit (principal is clerk, action == read, resource is record) when { resource.kind == "alpha" };
                """)
        let decision = await policies.decide(request(), relationships: none)
        #expect(decision.effect == .deny)
        #expect(decision.reason == .evaluationError)
        #expect(decision.errors == [EvaluationError(code: .missingAttribute, ruleID: "kind", detail: "resource.kind is missing")])

        let withKind = await policies.decide(request(record(kind: "beta")), relationships: none)
        #expect(withKind.effect == .allow)
        #expect(withKind.decidingRules == ["plain"])
    }

    @Test("has guards an optional attribute, and && short-circuits")
    func hasGuards() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("kind") permit (principal is clerk, action == read, resource is record)
                when { resource has kind && resource.kind == "alpha" };
                """)
        #expect(await policies.decide(request(), relationships: none).reason == .noMatchingPermit)
        #expect(await policies.decide(request(record(kind: "alpha")), relationships: none).effect == .allow)
    }

    @Test("a mistyped attribute in the request is an error, so deny")
    func attributeTypeError() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("own") permit (principal is clerk, action == read, resource is record)
                when { resource.school == principal.organisation };
                """)
        var resource = record()
        resource.attributes["school"] = .string("s-a")
        let decision = await policies.decide(request(resource), relationships: none)
        #expect(decision.reason == .evaluationError)
        #expect(decision.errors.map(\.code) == [.attributeType])

        var wrongKind = record()
        wrongKind.attributes["school"] = .entity(EntityRef("user", "s-a"))
        #expect(await policies.decide(request(wrongKind), relationships: none).errors.map(\.code) == [.attributeType])
    }

    @Test("asking for a field that is not granted denies the request; nothing is trimmed")
    func fieldsNotTrimmed() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("p") permit (principal is clerk, action == read, resource is record) fields [name, note];
                """)
        let decision = await policies.decide(request(fields: ["name", "secret", "note"]), relationships: none)
        #expect(decision.effect == .deny)
        #expect(decision.reason == .fieldsNotGranted)
        #expect(decision.deniedFields == ["secret"])
        #expect(decision.decidingRules == ["p"])
        #expect(decision.fields.allSatisfy { $0.treatment == .denied })
        #expect(decision.fields.map(\.name) == ["name", "secret", "note"])

        let ok = await policies.decide(request(fields: ["note", "name"]), relationships: none)
        #expect(ok.fields == [FieldDecision(name: "note", treatment: .plain), FieldDecision(name: "name", treatment: .plain)])
    }

    @Test("masks: a masked grant gives the mask; a plain grant from another permit does not widen it")
    func masks() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("masked") permit (principal is clerk, action == read, resource is record)
                fields [name as initial, born as year, note];
                @id("audit") permit (principal is clerk, action == read, resource is record, purpose == audit)
                fields [name];
                """)
        let work = await policies.decide(request(fields: ["name", "born", "note"]), relationships: none)
        #expect(
            work.fields == [
                FieldDecision(name: "name", treatment: .masked(.initial)),
                FieldDecision(name: "born", treatment: .masked(.year)),
                FieldDecision(name: "note", treatment: .plain),
            ])
        // For `audit` both permits match: `masked` grants the name as initial, `audit` plain. The
        // stricter grant holds.
        let audit = await policies.decide(request(fields: ["name", "born"], purpose: "audit"), relationships: none)
        #expect(
            audit.fields == [
                FieldDecision(name: "name", treatment: .masked(.initial)),
                FieldDecision(name: "born", treatment: .masked(.year)),
            ])
        #expect(audit.decidingRules == ["masked", "audit"])
    }

    @Test("a forbid naming fields applies only to requests asking for them")
    func forbidFields() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("p") permit (principal is clerk, action == read, resource is record, purpose == work)
                fields [name, note, secret];
                @id("f") forbid (principal is clerk, action, resource is record) fields [secret];
                """)
        #expect(await policies.decide(request(fields: ["name"]), relationships: none).effect == .allow)
        let denied = await policies.decide(request(fields: ["name", "secret"]), relationships: none)
        #expect(denied.reason == .forbidden)
        #expect(denied.decidingRules == ["f"])
    }

    @Test("unless and purposes scope rules")
    func unlessAndPurpose() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("p") permit (principal is clerk, action == read, resource is record, purpose in [audit])
                unless { resource.school != principal.organisation };
                """)
        #expect(await policies.decide(request(purpose: "audit"), relationships: none).effect == .allow)
        #expect(await policies.decide(request(purpose: "work"), relationships: none).reason == .noMatchingPermit)
        #expect(
            await policies.decide(request(record(school: schoolB), purpose: "audit"), relationships: none).reason
                == .noMatchingPermit)
    }

    @Test("time comes with the request: the same request at two times")
    func timeFromRequest() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("window") permit (principal is clerk, action == read, resource is record)
                when { context.time >= resource.opened && context.time < resource.opened + 30 days };
                """)
        #expect(await policies.decide(request(at: "2025-01-15T00:00:00Z"), relationships: none).effect == .allow)
        #expect(await policies.decide(request(at: "2025-01-31T00:00:00Z"), relationships: none).effect == .deny)
        #expect(await policies.decide(request(at: "2024-12-31T23:59:59Z"), relationships: none).effect == .deny)
    }

    @Test("relationships: one and two steps, expiry and grace")
    func relationships() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("lead") permit (principal is boss, action == read, resource is record)
                when { principal.user in resource.member_of.led_by until 2 days after };
                """)
        let boss = Principal(role: "boss", user: EntityRef("user", "u-boss"))
        let facts = InMemoryRelationships([
            Relationship(
                "member_of", subject: EntityRef("record", "r-1"), object: EntityRef("group", "g-1"),
                validFrom: time("2025-01-01"), validUntil: nil),
            Relationship(
                "led_by", subject: EntityRef("group", "g-1"), object: EntityRef("user", "u-boss"),
                validFrom: time("2025-03-01"), validUntil: time("2025-04-01")),
        ])
        let cases: [(String, Decision.Effect)] = [
            ("2025-02-28T23:59:59Z", .deny),  // before the lead's term
            ("2025-03-01T00:00:00Z", .allow),  // valid_from is inclusive
            ("2025-04-02T23:59:59Z", .allow),  // within the 2-day grace
            ("2025-04-03T00:00:00Z", .deny),  // valid_until + grace is exclusive
        ]
        for (at, effect) in cases {
            let decision = await policies.decide(request(boss, at: at), relationships: facts)
            #expect(decision.effect == effect, "at \(at)")
        }
        let otherRecord = await policies.decide(request(boss, record("r-2"), at: "2025-03-15T00:00:00Z"), relationships: facts)
        #expect(otherRecord.effect == .deny)
    }

    @Test("a failing relationship lookup denies (fail closed)")
    func resolverFailure() async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("open") permit (principal is boss, action == read, resource is record);
                @id("lead") permit (principal is boss, action == read, resource is record)
                when { principal.user in resource.member_of.led_by };
                """)
        let boss = Principal(role: "boss", user: EntityRef("user", "u-boss"))
        let decision = await policies.decide(request(boss), relationships: FailingResolver())
        #expect(decision.effect == .deny)
        #expect(decision.reason == .evaluationError)
        #expect(decision.errors.map(\.code) == [.relationshipLookupFailed])
        #expect(decision.errors.map(\.ruleID) == ["lead"])
    }

    @Test(
        "requests naming undeclared things are denied as invalid",
        arguments: [
            ("role", request(Principal(role: "janitor"))),
            ("action", request(action: "erase")),
            ("resource type", request(Resource(type: "planet", id: "p"))),
            ("purpose", request(purpose: "curiosity")),
            ("action not applying to the resource type", request(action: "file")),
            ("field", request(fields: ["colour"])),
        ])
    func invalidRequests(what: String, invalid: PolicyRequest) async throws {
        let policies = try compile(
            schema: miniSchema,
            policy: """
                @id("all") permit (principal, action, resource) ;
                """)
        let decision = await policies.decide(invalid, relationships: none)
        #expect(decision.effect == .deny, "\(what)")
        #expect(decision.reason == .invalidRequest, "\(what)")
        #expect(decision.errors.map(\.code) == [.invalidRequest])
    }

    @Test("every decision carries the injected hasher's version of the policy set")
    func versionInDecision() async throws {
        let policy = """
            @id("p") permit (principal is clerk, action == read, resource is record);
            """
        let policies = try compile(schema: miniSchema, policy: policy, hasher: LengthHasher())
        let decision = await policies.decide(request(), relationships: none)
        let expectedLength = "test.policy".utf8.count + policy.utf8.count + "test.schema".utf8.count + miniSchema.utf8.count + 4
        #expect(decision.policyVersion == PolicyVersion(algorithm: "length", digest: String(expectedLength)))
        #expect(policies.version == decision.policyVersion)
    }

    @Test("the platform hasher is SHA-256 and says so")
    func sha256Vectors() {
        let hasher = SHA256VersionHasher()
        #expect(hasher.version(of: []).description
            == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hasher.version(of: Array("abc".utf8)).description
            == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("changing any policy byte changes the version")
    func versionChanges() throws {
        let a = try compile(schema: miniSchema, policy: "@id(\"p\") permit (principal is clerk, action == read, resource is record);")
        let b = try compile(schema: miniSchema, policy: "@id(\"q\") permit (principal is clerk, action == read, resource is record);")
        #expect(a.version != b.version)
    }
}

@Suite("In-memory relationships")
struct InMemoryRelationshipsTests {
    let pupil = EntityRef("pupil", "tok-1")
    let event = EntityRef("event", "ev-1")
    let mentor = EntityRef("user", "u-m")

    @Test("bounds: valid_from inclusive, valid_until exclusive, open bounds, grace")
    func bounds() {
        let fact = Relationship(
            "run_by", subject: event, object: mentor, validFrom: time("2025-10-10T09:00:00Z"),
            validUntil: time("2025-10-10T17:00:00Z"))
        #expect(!fact.holds(at: time("2025-10-10T08:59:59Z"), grace: 0))
        #expect(fact.holds(at: time("2025-10-10T09:00:00Z"), grace: 0))
        #expect(fact.holds(at: time("2025-10-10T16:59:59Z"), grace: 0))
        #expect(!fact.holds(at: time("2025-10-10T17:00:00Z"), grace: 0))
        #expect(fact.holds(at: time("2025-10-10T17:59:59Z"), grace: 3_600))
        #expect(!fact.holds(at: time("2025-10-10T18:00:00Z"), grace: 3_600))
        let open = Relationship("run_by", subject: event, object: mentor)
        #expect(open.holds(at: Timestamp(secondsSinceEpoch: .min), grace: 0))
        #expect(open.holds(at: Timestamp(secondsSinceEpoch: .max), grace: 0))
        let farEnd = Relationship(
            "run_by", subject: event, object: mentor, validUntil: Timestamp(secondsSinceEpoch: .max - 10))
        #expect(farEnd.holds(at: Timestamp(secondsSinceEpoch: .max - 1), grace: 86_400))
    }

    @Test("an early expiry is a hard stop: no grace after expired_at; a fact expired before it starts never holds")
    func expiry() {
        let fact = Relationship(
            "run_by", subject: event, object: mentor, validFrom: time("2025-10-10T09:00:00Z"),
            validUntil: time("2025-10-10T17:00:00Z"), expiredAt: time("2025-10-10T12:00:00Z"))
        #expect(fact.holds(at: time("2025-10-10T11:59:59Z"), grace: 86_400))
        #expect(!fact.holds(at: time("2025-10-10T12:00:00Z"), grace: 86_400))
        #expect(!fact.holds(at: time("2025-10-10T17:30:00Z"), grace: 86_400))
        let cancelled = Relationship(
            "run_by", subject: event, object: mentor, validFrom: time("2025-10-10T09:00:00Z"),
            expiredAt: time("2025-10-01T00:00:00Z"))
        #expect(!cancelled.holds(at: time("2025-10-10T09:00:00Z"), grace: 86_400))
    }

    @Test("a negative grace that overflows past Int64's range never makes a fact hold")
    func negativeGraceOverflow() {
        let ancient = Relationship(
            "run_by", subject: event, object: mentor, validUntil: Timestamp(secondsSinceEpoch: .min + 10))
        #expect(!ancient.holds(at: Timestamp(secondsSinceEpoch: .min + 5), grace: -86_400))
        #expect(ancient.holds(at: Timestamp(secondsSinceEpoch: .min + 5), grace: 0))
    }

    @Test("two-step chains need both steps to hold at the same time")
    func chains() async throws {
        let facts = InMemoryRelationships([
            Relationship("enrolled_in", subject: pupil, object: event, validUntil: time("2025-10-10T17:00:00Z")),
            Relationship("enrolled_in", subject: pupil, object: EntityRef("event", "ev-2")),
            Relationship(
                "run_by", subject: event, object: mentor, validFrom: time("2025-10-10T09:00:00Z"),
                validUntil: time("2025-10-10T17:00:00Z")),
        ])
        func query(_ at: String, grace: Int64 = 0, object: EntityRef? = nil) -> RelationQuery {
            RelationQuery(
                subject: pupil, first: "enrolled_in", second: "run_by", object: object ?? mentor, time: time(at),
                grace: grace)
        }
        #expect(try await facts.holds(query("2025-10-10T12:00:00Z")))
        #expect(!(try await facts.holds(query("2025-10-10T08:00:00Z"))))
        #expect(!(try await facts.holds(query("2025-10-10T18:00:00Z"))))
        #expect(try await facts.holds(query("2025-10-10T18:00:00Z", grace: 7_200)))
        #expect(!(try await facts.holds(query("2025-10-10T12:00:00Z", object: EntityRef("user", "u-other")))))
        #expect(
            try await facts.holds(
                RelationQuery(subject: pupil, first: "enrolled_in", object: EntityRef("event", "ev-2"), time: time("2030-01-01"))))
        #expect(facts.all.count == 3)
    }

    @Test("the version does not depend on the order the files are given in")
    func canonicalOrder() throws {
        let files = try PolicySources.policyFiles(in: policiesDirectory)
        let forward = try PolicySet.compile(files, hasher: SHA256VersionHasher())
        let backward = try PolicySet.compile(files.reversed(), hasher: SHA256VersionHasher())
        #expect(forward.version == backward.version)
        #expect(forward.rules.map(\.id) == backward.rules.map(\.id))
    }
}
