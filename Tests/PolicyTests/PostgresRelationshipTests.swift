import DatabaseTestSupport
import Policy
import PostgreSQL
import Storage
import Synchronization
import Testing

/// Relationships in a real PostgreSQL database (migration 0010), read through
/// `PostgresRelationshipResolver` on the caller's connection and written through
/// `RelationshipStore`.
@Suite("Relationships in PostgreSQL")
struct PostgresRelationshipTests {
    /// Thrown to roll a transaction back on purpose.
    struct RollBack: Error {}

    /// Wraps a resolver and counts the lookups it answers.
    final class CountingResolver<Base: RelationshipResolver>: RelationshipResolver {
        let base: Base
        let lookups = Atomic<Int>(0)

        init(_ base: Base) { self.base = base }

        func holds(_ query: RelationQuery) async throws -> Bool {
            lookups.add(1, ordering: .relaxed)
            return try await base.holds(query)
        }
    }

    /// A migrated database holding `facts`, written by `bilet_policy` through the store.
    func database(with facts: [Relationship]) async throws -> TestDatabase {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await database.withPool(user: Component.policy.roleName, maxConnections: 1) { pool in
            try await pool.withTransaction { connection in
                let store = RelationshipStore(connection: connection)
                for fact in facts { try await store.assert(fact) }
            }
        }
        return database
    }

    /// Runs `body` in one transaction of the vault's role, as the vault evaluates.
    func asVault<Result: Sendable>(
        _ database: TestDatabase, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await database.withPool(user: Component.vault.roleName, maxConnections: 1) { pool in
            try await pool.withTransaction(isolation: .repeatableRead) { connection in try await body(connection) }
        }
    }

    func request(
        _ suite: PolicyTestSuite, _ principal: String, _ action: String, _ resource: String, fields: [String] = [],
        purpose: String, at: String
    ) throws -> PolicyRequest {
        PolicyRequest(
            principal: try #require(suite.principals[principal]), action: action,
            resource: try #require(suite.resources[resource]), fields: fields, purpose: purpose, time: time(at))
    }

    // MARK: Same decisions as in memory

    @Test("the role matrix decided with the fixtures' facts in PostgreSQL equals the in-memory decisions")
    func sameDecisionsAsInMemory() async throws {
        let policies = try realPolicies()
        let suite = try realSuite()
        let database = try await database(with: suite.relationships.all)

        // Every (principal, resource, action, purpose) whose decision consults relationships.
        var consulting: [(Principal, Resource, String, String)] = []
        let probeTime = time("2025-10-10T12:00:00Z")
        for principal in suite.principals.values.sorted(by: { $0.role < $1.role }) {
            for resource in suite.resources.values.sorted(by: { $0.entity.description < $1.entity.description }) {
                for action in policies.schema.actions where action.appliesTo.contains(resource.type) {
                    for purpose in policies.schema.purposes {
                        let counting = CountingResolver(suite.relationships)
                        let probe = PolicyRequest(
                            principal: principal, action: action.name, resource: resource, purpose: purpose.name,
                            time: probeTime)
                        _ = await policies.decide(probe, relationships: counting)
                        if counting.lookups.load(ordering: .relaxed) > 0 {
                            consulting.append((principal, resource, action.name, purpose.name))
                        }
                    }
                }
            }
        }
        // At every edge of every fact's window: its start, its end, the end of a 7-day grace,
        // and the second before each.
        var times = Set<Timestamp>()
        for fact in suite.relationships.all {
            for edge in [fact.validFrom, fact.validUntil, fact.validUntil.map { Timestamp(secondsSinceEpoch: $0.secondsSinceEpoch + 7 * 86_400) }] {
                guard let edge else { continue }
                times.insert(edge)
                times.insert(Timestamp(secondsSinceEpoch: edge.secondsSinceEpoch - 1))
            }
        }
        var requests = suite.cases.map(\.request)
        for (principal, resource, action, purpose) in consulting {
            for at in times.sorted() {
                requests.append(
                    PolicyRequest(principal: principal, action: action, resource: resource, purpose: purpose, time: at))
            }
        }

        let (compared, allowed, lookups) = try await asVault(database) { connection in
            let postgres = CountingResolver(PostgresRelationshipResolver(connection: connection))
            var compared = 0
            var allowed = 0
            for request in requests {
                let expected = await policies.decide(request, relationships: suite.relationships)
                let actual = await policies.decide(request, relationships: postgres)
                #expect(actual == expected, "\(request.principal.role) \(request.action) \(request.resource.entity) at \(request.time)")
                compared += 1
                if actual.isAllowed { allowed += 1 }
            }
            return (compared, allowed, postgres.lookups.load(ordering: .relaxed))
        }
        print("relationships: \(consulting.count) consulting combinations, \(compared) decisions compared, \(allowed) allowed, \(lookups) lookups")
        #expect(consulting.count >= 30)
        #expect(compared >= 1_000)
        #expect(allowed >= 100)
        #expect(compared - allowed >= 100)
        #expect(lookups >= 1_000)
    }

    // MARK: Validity

    @Test("an expired assignment, one starting in the future, and the mentor's grace boundary, in PostgreSQL")
    func validityWindows() async throws {
        let policies = try realPolicies()
        let suite = try realSuite()
        let futureAssignment = Relationship(
            "assigned_navigator", subject: EntityRef("pupil", "tok-a3"), object: EntityRef("user", "u-nav-a"),
            validFrom: time("2026-09-01"), validUntil: time("2027-06-01"))
        let database = try await database(with: suite.relationships.all + [futureAssignment])
        let cases: [(String, PolicyRequest, Decision.Effect)] = [
            // Last school year's assignment (2024-09-01 until 2025-06-01).
            ("expired: a year later", try request(suite, "navigator_a", "read", "pupil_a2", fields: ["first_name"], purpose: "enrolment", at: "2025-10-01T10:00:00Z"), .deny),
            ("expired: the second it ends", try request(suite, "navigator_a", "read", "pupil_a2", fields: ["first_name"], purpose: "enrolment", at: "2025-06-01T00:00:00Z"), .deny),
            ("expired: the second before it ends", try request(suite, "navigator_a", "read", "pupil_a2", fields: ["first_name"], purpose: "enrolment", at: "2025-05-31T23:59:59Z"), .allow),
            // Next school year's assignment (from 2026-09-01).
            ("future: now", try request(suite, "navigator_a", "read", "pupil_a3", fields: ["first_name"], purpose: "enrolment", at: "2025-10-01T10:00:00Z"), .deny),
            ("future: the second before it starts", try request(suite, "navigator_a", "read", "pupil_a3", fields: ["first_name"], purpose: "enrolment", at: "2026-08-31T23:59:59Z"), .deny),
            ("future: the second it starts", try request(suite, "navigator_a", "read", "pupil_a3", fields: ["first_name"], purpose: "enrolment", at: "2026-09-01T00:00:00Z"), .allow),
            // The event ends 2025-10-10T17:00Z; the mentor may read for 7 days after.
            ("grace: the last second", try request(suite, "mentor_1", "read", "pupil_a1", fields: ["first_name"], purpose: "event_attendance", at: "2025-10-17T16:59:59Z"), .allow),
            ("grace: over", try request(suite, "mentor_1", "read", "pupil_a1", fields: ["first_name"], purpose: "event_attendance", at: "2025-10-17T17:00:00Z"), .deny),
            ("grace: before the event starts", try request(suite, "mentor_1", "read", "pupil_a1", fields: ["first_name"], purpose: "event_attendance", at: "2025-10-10T08:59:59Z"), .deny),
        ]
        var inMemory = suite.relationships
        inMemory.add(futureAssignment)
        try await asVault(database) { connection in
            let resolver = PostgresRelationshipResolver(connection: connection)
            for (name, request, effect) in cases {
                let decision = await policies.decide(request, relationships: resolver)
                #expect(decision.effect == effect, "\(name): \(decision)")
                if effect == .deny { #expect(decision.reason == .noMatchingPermit, "\(name)") }
                let expected = await policies.decide(request, relationships: inMemory)
                #expect(decision == expected, "\(name)")
            }
        }
    }

    @Test("expiring an enrolment is a hard stop: the mentor's grace period does not extend it")
    func expiryIsAHardStop() async throws {
        let policies = try realPolicies()
        let suite = try realSuite()
        let database = try await database(with: suite.relationships.all)
        let pupil = EntityRef("pupil", "tok-a1")
        let event = EntityRef("event", "ev-77-1")
        let expiry = time("2025-10-12T00:00:00Z")  // after the event, inside the 7-day grace
        let expired = try await database.withPool(user: Component.policy.roleName, maxConnections: 1) { pool in
            try await pool.withConnection { connection in
                let store = RelationshipStore(connection: connection)
                let first = try await store.expire("enrolled_in", subject: pupil, object: event, at: expiry)
                let again = try await store.expire("enrolled_in", subject: pupil, object: event, at: expiry)
                return (first, again)
            }
        }
        #expect(expired.0 == 1)
        #expect(expired.1 == 0)

        var inMemory = InMemoryRelationships()
        for var fact in suite.relationships.all {
            if fact.kind == "enrolled_in", fact.subject == pupil, fact.object == event { fact.expiredAt = expiry }
            inMemory.add(fact)
        }
        let cases: [(String, Decision.Effect)] = [
            ("2025-10-11T23:59:59Z", .allow), ("2025-10-12T00:00:00Z", .deny), ("2025-10-15T12:00:00Z", .deny),
        ]
        try await asVault(database) { connection in
            let resolver = PostgresRelationshipResolver(connection: connection)
            for (at, effect) in cases {
                let read = try request(suite, "mentor_1", "read", "pupil_a1", fields: ["first_name"], purpose: "event_attendance", at: at)
                let decision = await policies.decide(read, relationships: resolver)
                #expect(decision.effect == effect, "at \(at): \(decision)")
                let expected = await policies.decide(read, relationships: inMemory)
                #expect(decision == expected, "at \(at)")
            }
        }
    }

    // MARK: Transactions

    @Test("the resolver runs inside the caller's transaction: a fact written and rolled back counts only inside it")
    func insideTheCallersTransaction() async throws {
        let policies = try realPolicies()
        let suite = try realSuite()
        let database = try await database(with: [])
        let read = try request(suite, "navigator_a", "read", "pupil_a1", fields: ["first_name"], purpose: "enrolment", at: "2025-10-01T10:00:00Z")
        let assignment = try #require(suite.relationships.all.first { $0.kind == "assigned_navigator" && $0.subject.id == "tok-a1" })

        try await database.withPool(user: Component.policy.roleName, maxConnections: 1) { writer in
            try await database.withPool(user: Component.vault.roleName, maxConnections: 1) { vault in
                await #expect(throws: RollBack.self) {
                    try await writer.withTransaction { connection in
                        try await RelationshipStore(connection: connection).assert(assignment)
                        let inside = await policies.decide(read, relationships: PostgresRelationshipResolver(connection: connection))
                        #expect(inside.effect == .allow, "\(inside)")
                        // Another transaction does not see the uncommitted fact.
                        let outside = try await vault.withConnection { other in
                            await policies.decide(read, relationships: PostgresRelationshipResolver(connection: other))
                        }
                        #expect(outside.reason == .noMatchingPermit, "\(outside)")
                        throw RollBack()
                    }
                }
                let after = try await vault.withTransaction { connection in
                    await policies.decide(read, relationships: PostgresRelationshipResolver(connection: connection))
                }
                #expect(after.reason == .noMatchingPermit, "\(after)")
            }
        }
        let rows = try await database.withPool { pool in
            try await pool.query("SELECT count(*) FROM policy.relationships").singleValue(Int.self)
        }
        #expect(rows == 0)
    }

    @Test("a lookup inside a failed transaction denies with relationship_lookup_failed")
    func failedTransactionDenies() async throws {
        let policies = try realPolicies()
        let suite = try realSuite()
        let database = try await database(with: suite.relationships.all)
        let read = try request(suite, "navigator_a", "read", "pupil_a1", fields: ["first_name"], purpose: "enrolment", at: "2025-10-01T10:00:00Z")
        let error = await #expect(throws: PostgresError.self) {
            try await asVault(database) { connection in
                _ = try? await connection.execute("SELECT 1 / 0")
                let decision = await policies.decide(read, relationships: PostgresRelationshipResolver(connection: connection))
                #expect(decision.effect == .deny)
                #expect(decision.reason == .evaluationError)
                #expect(decision.errors.map(\.code) == [.relationshipLookupFailed])
                #expect(decision.errors.map(\.ruleID) == ["navigator.pupils.assigned"])
            }
        }
        #expect(error?.code == .transactionAborted)
    }

    // MARK: Privileges

    @Test("module roles are refused SELECT on policy.relationships with 42501, and their lookups deny",
          arguments: Component.allCases.filter(\.isModule))
    func modulesCannotRead(component: Component) async throws {
        let policies = try realPolicies()
        let suite = try realSuite()
        let database = try await database(with: suite.relationships.all)
        let read = try request(suite, "navigator_a", "read", "pupil_a1", fields: ["first_name"], purpose: "enrolment", at: "2025-10-01T10:00:00Z")
        try await database.withPool(user: component.roleName, maxConnections: 1) { pool in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT count(*) FROM policy.relationships")
            }
            #expect(error?.sqlState == .insufficientPrivilege)
            let lookup = await #expect(throws: RelationshipStoreError.self) {
                try await pool.withConnection { connection in
                    try await PostgresRelationshipResolver(connection: connection).holds(
                        RelationQuery(
                            subject: EntityRef("pupil", "tok-a1"), first: "assigned_navigator",
                            object: EntityRef("user", "u-nav-a"), time: time("2025-10-01")))
                }
            }
            #expect(lookup?.code == .database)
            #expect(lookup?.sqlState == .insufficientPrivilege)
            let decision = try await pool.withConnection { connection in
                await policies.decide(read, relationships: PostgresRelationshipResolver(connection: connection))
            }
            #expect(decision.effect == .deny)
            #expect(decision.errors.map(\.code) == [.relationshipLookupFailed])
        }
    }

    enum Write: String, CaseIterable, Sendable {
        case insert, updateExpiry, updateValidity, delete, truncate
    }

    /// bilet_policy and, since 0690, the vault (a school's navigator assignments, recorded after the
    /// vault's own decision) insert facts and set expired_at; the gateway only reads.
    static let writes: [(Component, Write, Bool)] = [Component.policy, .vault].flatMap { component in
        [(component, Write.insert, true), (component, .updateExpiry, true), (component, .updateValidity, false),
         (component, .delete, false), (component, .truncate, false)]
    } + Write.allCases.map { (Component.gateway, $0, false) }

    @Test("bilet_policy and bilet_vault insert facts and set expired_at only; the gateway only reads", arguments: writes)
    func writePrivileges(component: Component, write: Write, allowed: Bool) async throws {
        let suite = try realSuite()
        let database = try await database(with: suite.relationships.all)
        try await database.withPool(user: component.roleName, maxConnections: 1) { pool in
            #expect(
                try await pool.query("SELECT count(*) FROM policy.relationships").singleValue(Int.self)
                    == suite.relationships.all.count)
            let statement: SQLStatement
            switch write {
            case .insert:
                statement = """
                    INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id)
                    VALUES ('run_by', 'event', 'ev-x', 'user', 'u-x')
                    """
            // Only ever earlier (0842): a fact already expired keeps its earlier expiry.
            case .updateExpiry: statement = "UPDATE policy.relationships SET expired_at = now() WHERE expired_at IS NULL OR expired_at > now()"
            case .updateValidity: statement = "UPDATE policy.relationships SET valid_until = NULL"
            case .delete: statement = "DELETE FROM policy.relationships"
            case .truncate: statement = "TRUNCATE policy.relationships"
            }
            if allowed {
                _ = try await pool.execute(statement)
            } else {
                let error = await #expect(throws: PostgresError.self) { try await pool.execute(statement) }
                #expect(error?.sqlState == .insufficientPrivilege, "\(component) \(write)")
            }
        }
        let (rows, expired) = try await database.withPool { pool in
            let row = try #require(
                try await pool.query(
                    "SELECT count(*), count(expired_at) FROM policy.relationships WHERE valid_until IS NOT NULL"
                ).first)
            return (try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1))
        }
        let dated = suite.relationships.all.filter { $0.validUntil != nil }
        #expect(rows == dated.count, "validity unchanged")
        #expect(expired == (write == .updateExpiry && allowed ? dated.count : dated.filter { $0.expiredAt != nil }.count))
    }

    // MARK: Store refusals and the index

    static let invalidFacts: [(String, Relationship)] = [
        ("empty kind", Relationship("", subject: EntityRef("pupil", "p"), object: EntityRef("user", "u"))),
        ("kind with a space", Relationship("enrolled in", subject: EntityRef("pupil", "p"), object: EntityRef("user", "u"))),
        ("type starting with a digit", Relationship("run_by", subject: EntityRef("1event", "e"), object: EntityRef("user", "u"))),
        ("empty subject id", Relationship("run_by", subject: EntityRef("event", ""), object: EntityRef("user", "u"))),
        ("overlong object id", Relationship("run_by", subject: EntityRef("event", "e"), object: EntityRef("user", String(repeating: "u", count: 257)))),
        ("NUL in an id", Relationship("run_by", subject: EntityRef("event", "e\u{0}"), object: EntityRef("user", "u"))),
        ("empty validity", Relationship("run_by", subject: EntityRef("event", "e"), object: EntityRef("user", "u"), validFrom: time("2025-10-10"), validUntil: time("2025-10-10"))),
        ("inverted validity", Relationship("run_by", subject: EntityRef("event", "e"), object: EntityRef("user", "u"), validFrom: time("2025-10-11"), validUntil: time("2025-10-10"))),
    ]

    @Test("the store refuses malformed facts before sending them; the table's checks refuse them too")
    func storeRefusals() async throws {
        let database = try await database(with: [])
        try await database.withPool(user: Component.policy.roleName, maxConnections: 1) { pool in
            try await pool.withConnection { connection in
                let store = RelationshipStore(connection: connection)
                for (name, fact) in Self.invalidFacts {
                    let error = await #expect(throws: RelationshipStoreError.self, "\(name)") { try await store.assert(fact) }
                    #expect(error?.code == .invalidRelationship, "\(name)")
                    #expect(error?.underlying == nil, "\(name): refused before sending")
                }
                // Beyond 64-bit microseconds: refused before sending.
                let overflowing = Relationship(
                    "run_by", subject: EntityRef("event", "e"), object: EntityRef("user", "u"),
                    validUntil: Timestamp(secondsSinceEpoch: 10_000_000_000_000))
                let overflow = await #expect(throws: RelationshipStoreError.self) { try await store.assert(overflowing) }
                #expect(overflow?.code == .timeOutOfRange)
                #expect(overflow?.underlying == nil)
                // Before 4713 BC: PostgreSQL refuses it with 22008.
                let ancient = Relationship(
                    "run_by", subject: EntityRef("event", "e"), object: EntityRef("user", "u"),
                    validFrom: Timestamp(secondsSinceEpoch: -1_000_000_000_000))
                let range = await #expect(throws: RelationshipStoreError.self) { try await store.assert(ancient) }
                #expect(range?.code == .timeOutOfRange)
                #expect(range?.sqlState == SQLState(rawValue: "22008"))
            }
            for statement: SQLStatement in [
                "INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id, valid_from, valid_until) VALUES ('run_by', 'event', 'e', 'user', 'u', '2025-10-10', '2025-10-10')",
                "INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id) VALUES ('run by', 'event', 'e', 'user', 'u')",
                "INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id) VALUES ('run_by', 'event', '', 'user', 'u')",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await pool.execute(statement) }
                #expect(error?.sqlState == .checkViolation, "\(statement)")
            }
        }
        let rows = try await database.withPool { pool in
            try await pool.query("SELECT count(*) FROM policy.relationships").singleValue(Int.self)
        }
        #expect(rows == 0)
    }

    @Test("one- and two-step lookups are answered through relationships_lookup, never by scanning the table")
    func lookupsUseTheIndex() async throws {
        var facts: [Relationship] = []
        for index in 0..<4_000 {
            let pupil = EntityRef("pupil", "filler-\(index)")
            facts.append(
                Relationship(
                    "enrolled_in", subject: pupil, object: EntityRef("event", "filler-event-\(index % 200)"),
                    validFrom: time("2025-09-01"), validUntil: time("2026-06-01")))
            if index < 200 {
                facts.append(
                    Relationship(
                        "run_by", subject: EntityRef("event", "filler-event-\(index)"),
                        object: EntityRef("user", "filler-mentor-\(index)")))
            }
        }
        let database = try await database(with: facts)
        _ = try await database.withPool { pool in try await pool.execute("ANALYZE policy.relationships") }
        let (answers, indexScans, tableScans) = try await asVault(database) { connection in
            let resolver = PostgresRelationshipResolver(connection: connection)
            let at = time("2025-10-01")
            let answers = [
                try await resolver.holds(
                    RelationQuery(
                        subject: EntityRef("pupil", "filler-7"), first: "enrolled_in",
                        object: EntityRef("event", "filler-event-7"), time: at)),
                try await resolver.holds(
                    RelationQuery(
                        subject: EntityRef("pupil", "filler-7"), first: "enrolled_in", second: "run_by",
                        object: EntityRef("user", "filler-mentor-7"), time: at)),
                try await resolver.holds(
                    RelationQuery(
                        subject: EntityRef("pupil", "filler-7"), first: "enrolled_in", second: "run_by",
                        object: EntityRef("user", "filler-mentor-8"), time: at)),
            ]
            let row = try #require(
                try await connection.query(
                    """
                    SELECT pg_stat_get_xact_numscans('policy.relationships_lookup'::regclass),
                           pg_stat_get_xact_numscans('policy.relationships'::regclass)
                    """
                ).first)
            return (answers, try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1))
        }
        #expect(answers == [true, true, false])
        #expect(indexScans >= 3)
        #expect(tableScans == 0)
    }
}
