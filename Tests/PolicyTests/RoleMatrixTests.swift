import Policy
import Testing

/// The role matrix of ARCHITECTURE.md, decided by the repository's real policies with the
/// relationship facts of `policies/tests/fixtures.test`.
@Suite("Role matrix")
struct RoleMatrixTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var principal: String
        var action: String
        var resource: String
        var fields: [String]
        var purpose: String
        var at: String
        /// nil means deny.
        var allowed: [FieldDecision]?
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "school A reads its own pupil", principal: "school_a", action: "read", resource: "pupil_a1",
            fields: ["surname", "grade"], purpose: "enrolment", at: "2025-10-01T10:00:00Z",
            allowed: [FieldDecision(name: "surname", treatment: .plain), FieldDecision(name: "grade", treatment: .plain)]),
        Case(
            name: "cross-organisation: school A asks for school B's pupil", principal: "school_a", action: "read",
            resource: "pupil_b1", fields: ["surname"], purpose: "enrolment", at: "2025-10-01T10:00:00Z", allowed: nil),
        Case(
            name: "cross-organisation: school B asks for school A's pupil", principal: "school_b", action: "read",
            resource: "pupil_a1", fields: ["first_name"], purpose: "parent_request", at: "2025-10-01T10:00:00Z",
            allowed: nil),
        Case(
            name: "cross-organisation: navigator B asks for school A's pupil", principal: "navigator_b", action: "read",
            resource: "pupil_a1", fields: ["first_name"], purpose: "enrolment", at: "2025-10-01T10:00:00Z", allowed: nil),
        Case(
            name: "navigator reads an assigned pupil", principal: "navigator_a", action: "read", resource: "pupil_a1",
            fields: ["first_name"], purpose: "enrolment", at: "2025-10-01T10:00:00Z",
            allowed: [FieldDecision(name: "first_name", treatment: .plain)]),
        Case(
            name: "expired relationship: last year's assignment", principal: "navigator_a", action: "read",
            resource: "pupil_a2", fields: ["first_name"], purpose: "enrolment", at: "2025-10-01T10:00:00Z", allowed: nil),
        Case(
            name: "expired relationship: after the school year", principal: "navigator_a", action: "read",
            resource: "pupil_a1", fields: ["first_name"], purpose: "enrolment", at: "2026-06-01T00:00:00Z", allowed: nil),
        Case(
            name: "mentor: first name and initial during the event", principal: "mentor_1", action: "read",
            resource: "pupil_a1", fields: ["first_name", "surname"], purpose: "event_attendance",
            at: "2025-10-10T12:00:00Z",
            allowed: [
                FieldDecision(name: "first_name", treatment: .plain),
                FieldDecision(name: "surname", treatment: .masked(.initial)),
            ]),
        Case(
            name: "mentor: window closed", principal: "mentor_1", action: "read", resource: "pupil_a1",
            fields: ["first_name"], purpose: "event_attendance", at: "2025-10-17T17:00:00Z", allowed: nil),
        Case(
            name: "mentor: another mentor's event", principal: "mentor_2", action: "read", resource: "pupil_a1",
            fields: ["first_name"], purpose: "event_attendance", at: "2025-10-10T12:00:00Z", allowed: nil),
        Case(
            name: "coordinator: own region's aggregates", principal: "coordinator_77", action: "aggregate",
            resource: "kpi_77", fields: [], purpose: "kpi_aggregate", at: "2025-10-01T10:00:00Z", allowed: []),
        Case(
            name: "coordinator: never pupils' names", principal: "coordinator_77", action: "read", resource: "pupil_a1",
            fields: ["first_name"], purpose: "kpi_aggregate", at: "2025-10-01T10:00:00Z", allowed: nil),
        Case(
            name: "pupil: own data", principal: "pupil_a1_account", action: "read", resource: "pupil_a1",
            fields: ["snils"], purpose: "self_service", at: "2025-10-01T10:00:00Z",
            allowed: [FieldDecision(name: "snils", treatment: .plain)]),
        Case(
            name: "pupil: a classmate", principal: "pupil_a1_account", action: "read", resource: "pupil_a2",
            fields: ["first_name"], purpose: "self_service", at: "2025-10-01T10:00:00Z", allowed: nil),
        Case(
            name: "assessment module: declared fields, birth date as year", principal: "assessment_service",
            action: "read", resource: "pupil_a1", fields: ["birth_date", "grade"], purpose: "assessment",
            at: "2025-10-01T10:00:00Z",
            allowed: [
                FieldDecision(name: "birth_date", treatment: .masked(.year)),
                FieldDecision(name: "grade", treatment: .plain),
            ]),
        Case(
            name: "trials module: a field not declared for its purpose", principal: "trials_service", action: "read",
            resource: "pupil_a1", fields: ["sex"], purpose: "event_attendance", at: "2025-10-01T10:00:00Z", allowed: nil),
    ]

    @Test("role matrix cases", arguments: cases)
    func roleMatrix(_ matrixCase: Case) async throws {
        let policies = try realPolicies()
        let suite = try realSuite()
        let request = PolicyRequest(
            principal: try #require(suite.principals[matrixCase.principal]), action: matrixCase.action,
            resource: try #require(suite.resources[matrixCase.resource]), fields: matrixCase.fields,
            purpose: matrixCase.purpose, time: time(matrixCase.at))
        let decision = await policies.decide(request, relationships: suite.relationships)
        if let allowed = matrixCase.allowed {
            #expect(decision.effect == .allow, "\(decision)")
            #expect(decision.fields == allowed)
        } else {
            #expect(decision.effect == .deny, "\(decision)")
            #expect(decision.reason != .invalidRequest, "\(decision)")
            #expect(decision.fields.allSatisfy { $0.treatment == .denied })
        }
    }

    @Test("policies/tests: every case passes, every rule is exercised, every role has a negative case")
    func policyTestSuite() async throws {
        let report = try await realSuite().run(against: try realPolicies())
        #expect(report.failures.map(\.description) == [])
        #expect(report.uncoveredRules.map(\.id) == [])
        #expect(report.rolesWithoutNegativeCases == [])
        #expect(report.total >= 120)
    }

    @Test("separation of duties: no administrative role gets any personal field, for any purpose or action")
    func administrativeRolesNeverGetPersonalData() async throws {
        let policies = try realPolicies()
        let suite = try realSuite()
        let administrators = ["operator_1", "coordinator_77", "methodologist_1", "compliance_1", "security_1"]
        let personal = ["pupil_a1", "guardian_a1", "consent_a1", "footprint_a1", "recommendation_a1", "attendance_a1"]
        var asked = 0
        for principalName in administrators {
            let principal = try #require(suite.principals[principalName])
            for resourceName in personal + ["staff_nav_a"] {
                let resource = try #require(suite.resources[resourceName])
                let fields = policies.schema.entityType(named: resource.type)!.fields.map(\.name)
                let actions = policies.schema.actions.filter { $0.appliesTo.contains(resource.type) }.map(\.name)
                for action in actions where resourceName != "staff_nav_a" || action == "read" {
                    for purpose in policies.schema.purposes.map(\.name) {
                        for field in fields {
                            let request = PolicyRequest(
                                principal: principal, action: action, resource: resource, fields: [field],
                                purpose: purpose, time: time("2025-10-10T12:00:00Z"))
                            let decision = await policies.decide(request, relationships: suite.relationships)
                            #expect(decision.effect == .deny, "\(principalName) \(action) \(resourceName).\(field) for \(purpose)")
                            asked += 1
                        }
                    }
                }
            }
        }
        #expect(asked > 3_000)
    }

    @Test("backend modules never get direct identifiers, for any purpose or action")
    func servicesNeverGetIdentifiers() async throws {
        let policies = try realPolicies()
        let suite = try realSuite()
        for service in ["assessment_service", "trials_service", "recommendations_service"] {
            for action in ["read", "create", "update"] {
                for purpose in policies.schema.purposes.map(\.name) {
                    for field in ["surname", "first_name", "patronymic", "snils", "email", "phone"] {
                        let request = PolicyRequest(
                            principal: try #require(suite.principals[service]), action: action,
                            resource: try #require(suite.resources["pupil_a1"]), fields: [field], purpose: purpose,
                            time: time("2025-10-01T10:00:00Z"))
                        let decision = await policies.decide(request, relationships: suite.relationships)
                        #expect(decision.reason == .forbidden, "\(service) \(action) \(field) for \(purpose)")
                    }
                }
            }
        }
    }

    @Test("the mentor's window: from the event's start until 7 days after its end, hour by hour")
    func mentorWindow() async throws {
        let policies = try realPolicies()
        let suite = try realSuite()
        let start = time("2025-10-10T09:00:00Z")
        let windowEnd = time("2025-10-17T17:00:00Z")  // event end + 7 days
        var hour = time("2025-10-09T00:00:00Z")
        while hour < time("2025-10-20T00:00:00Z") {
            let request = PolicyRequest(
                principal: try #require(suite.principals["mentor_1"]), action: "read",
                resource: try #require(suite.resources["pupil_a1"]), fields: ["first_name"],
                purpose: "event_attendance", time: hour)
            let decision = await policies.decide(request, relationships: suite.relationships)
            #expect(decision.isAllowed == (hour >= start && hour < windowEnd), "at \(hour)")
            hour.secondsSinceEpoch += 3_600
        }
    }
}
