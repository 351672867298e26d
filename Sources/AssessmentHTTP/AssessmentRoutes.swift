public import Accounts
public import Assessment
import Audit
public import Foundation
public import Gateway
import HTTPTypes
public import Hummingbird
import NIOCore
public import Policy
public import PostgreSQL
public import Tokens
public import VaultDoor
import VaultHTTP

/// The assessment routes (docs/ASSESSMENT.md).
///
/// Staff, on a workstation (mTLS) with a staff session:
/// - `POST /v1/assessment/tests` (methodologist): upload a definition as a draft; `400
///   invalid-definition` lists every issue, each naming its section and question.
/// - `GET /v1/assessment/tests`: methodologists every version; navigators the published ones.
/// - `POST /v1/assessment/tests/{code}/versions/{version}/publish` (methodologist).
/// - `POST /v1/assessment/assignments` (navigator) `{pupil, test, version, due?}`: `pupil` is the
///   vault token; the vault's door releases the pupil's assessment token only for a pupil assigned
///   to the navigator (`assigned_navigator`), with an `assessment` consent, and audits it. Any other
///   pupil is `404 pupil-not-found`. `201` with a new assignment; `200` with the pupil's existing
///   assignment of that version when there is one (idempotent: no fresh attempts, no new record).
///
/// Pupils, on the pupils' listener with a pupil session (``PupilAssessmentRoutes``).
///
/// Methodologists' and navigators' requests are decided by the policy (`assessment_test`,
/// purposes `test_authoring` and `assessment`); a refusal is audited (`policy.decided`, deny) and
/// answered `403 forbidden`. Uploads, publications and assignments are audited
/// (`assessment.test_changed`, `assessment.assigned`) as `bilet_gateway` from inside the store's
/// transaction, after the change and before it commits (as the trials desk does): if the record
/// cannot be written the change rolls back and the answer is `503 audit-unavailable`.
public enum AssessmentRoutes {
    /// What the routes need.
    public struct Dependencies: Sendable {
        public let sessions: StaffSessions
        public let pupils: PupilAccounts
        public let door: VaultDoorClient
        public let store: AssessmentStore
        public let policies: PolicyStore
        /// A pool as `bilet_gateway`, for the audit records (changes and refusals).
        public let recorder: PostgresConnectionPool
        /// Each pupil session's own assessment token, asked of the door once per session and
        /// ``PupilSessionCache/ttl`` (attack review #4).
        public let ownTokens: PupilSessionCache<Tokens.AssessmentToken>

        /// Collects the dependencies.
        public init(
            sessions: StaffSessions, pupils: PupilAccounts, door: VaultDoorClient, store: AssessmentStore, policies: PolicyStore,
            recorder: PostgresConnectionPool, ownTokens: PupilSessionCache<Tokens.AssessmentToken> = PupilSessionCache()
        ) {
            self.ownTokens = ownTokens
            self.sessions = sessions
            self.pupils = pupils
            self.door = door
            self.store = store
            self.policies = policies
            self.recorder = recorder
        }
    }

    /// The purpose of methodologists' requests.
    static let authoring = "test_authoring"
    /// The purpose of navigators' and pupils' requests.
    static let assessment = "assessment"
    /// The largest assignment or answer body, in bytes.
    static let maximumRequestBytes = 16 * 1024

    /// Adds the staff and pupil routes to `router`.
    public static func add(to router: Router<BiletRequestContext>, _ dependencies: Dependencies) {
        let staff = router.group("/v1/assessment").add(middleware: StaffSessionMiddleware(sessions: dependencies.sessions))
        staff.post("tests") { request, context -> Response in
            let session = try context.requireStaff()
            try await authoriseUpload(session, dependencies)
            try JSONBody.requireMediaType(request, "application/json")
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: DefinitionValidator.maximumBytes)
            } catch {
                throw Problem.bodyTooLarge
            }
            do {
                let version = try await upload(Data(buffer.readableBytesView), as: session, dependencies)
                return JSONBody.response(.created, TestVersionBody(version))
            } catch let error as AssessmentError where error.code == .invalidDefinition {
                return invalidDefinition(error.issues)
            }
        }
        staff.get("tests") { _, context -> Response in
            let session = try context.requireStaff()
            let listed = try await versions(for: session, dependencies)
            return JSONBody.response(.ok, TestVersionList(tests: listed.map(TestVersionBody.init)))
        }
        staff.post("tests/:code/versions/:version/publish") { _, context -> Response in
            let session = try context.requireStaff()
            let code = try context.parameters.require("code")
            guard let version = Int(try context.parameters.require("version")) else {
                throw AssessmentError(.testNotFound, "the version is not a number")
            }
            let published = try await publish(code: code, version: version, as: session, dependencies)
            return JSONBody.response(.ok, TestVersionBody(published))
        }
        staff.post("assignments") { request, context -> Response in
            let session = try context.requireStaff()
            try await authoriseAssigning(session, dependencies)
            let body = try await JSONBody.decode(AssignmentRequest.self, from: request, limit: maximumRequestBytes)
            var due: Date?
            if let text = body.due {
                guard let parsed = AuditTime.parse(text) else {
                    throw Problem(.badRequest, code: "malformed-request", title: "due is not an ISO 8601 date-time.")
                }
                due = parsed
            }
            let outcome = try await assign(pupil: body.pupil, test: body.test, version: body.version, due: due, as: session, dependencies)
            return JSONBody.response(outcome.created ? .created : .ok, AssignmentBody(outcome.assignment))
        }
        PupilAssessmentRoutes.add(to: router, dependencies)
    }

    /// Refuses anyone but a navigator to assign tests (`POST /v1/assessment/assignments`, the
    /// navigator's test page), before the request is read: the refusal is audited
    /// (`policy.decided`, deny) and thrown as `403 forbidden`.
    public static func authoriseAssigning(_ session: StaffSession, _ dependencies: Dependencies) async throws {
        guard session.role == .navigator else {
            try await deny(session, "assign", purpose: assessment, rule: nil, dependencies)
        }
    }

    /// Assigns version `version` of test `test` to `pupil` (a vault token) as the navigator
    /// `session`: what `POST /v1/assessment/assignments` and the navigator's test page run. The
    /// vault's door releases the pupil's assessment token only for a pupil assigned to the navigator
    /// with an `assessment` consent (audited); the store makes the assignment (idempotent: `created`
    /// is false for the pupil's existing assignment of that version), audited as
    /// `assessment.assigned` inside its transaction.
    ///
    /// - Throws: ``Problem`` (`403 forbidden` for another role, the door's refusals such as `404
    ///   pupil-not-found`), ``AssessmentError`` (`test-not-found`, `not-published`).
    public static func assign(
        pupil subject: String, test: String, version: Int, due: Date?, as session: StaffSession, _ dependencies: Dependencies
    ) async throws -> (assignment: Assignment, created: Bool) {
        try await authoriseAssigning(session, dependencies)
        let pupil = try await AssessmentTokens.pupil(subject, caller: DoorCalls.caller(for: session), door: dependencies.door)
        let record: AssessmentStore.Record<Assignment> = { assignment in
            try await AuditLog().append(
                AssessmentAssigned(
                    actor: session.actor, subject: subject, test: assignment.testCode, version: assignment.testVersion,
                    assignment: "urn:uuid:\(assignment.id.uuidString.lowercased())", purpose: assessment),
                using: dependencies.recorder)
        }
        let outcome = try await dependencies.store.assign(code: test, version: version, to: pupil, due: due, by: session.accountID, record: record)
        return (outcome.assignment, outcome.created)
    }

    /// The policy's permit for `session` to upload a definition (`POST /v1/assessment/tests`, the
    /// upload page), asked before the body is read; a refusal is audited and thrown as `403`.
    public static func authoriseUpload(_ session: StaffSession, _ dependencies: Dependencies) async throws {
        try await authorise(session, "create", test: "upload", fields: ["content", "answer_key"], purpose: authoring, dependencies)
    }

    /// Stores `json` as a draft uploaded by `session` (after ``authoriseUpload(_:_:)``), audited as
    /// `assessment.test_changed` (`uploaded`) inside the store's transaction.
    ///
    /// - Throws: ``AssessmentError`` (`invalid-definition` with every issue).
    public static func upload(_ json: Data, as session: StaffSession, _ dependencies: Dependencies) async throws -> TestVersion {
        let policyVersion = dependencies.policies.current.version.digest
        let record: AssessmentStore.Record<TestVersion> = { version in
            try await AuditLog().append(
                AssessmentTestChanged(
                    actor: session.actor, test: version.code, version: version.version, change: .uploaded, purpose: authoring,
                    policyVersion: policyVersion),
                using: dependencies.recorder)
        }
        return try await dependencies.store.upload(json: json, by: session.accountID, record: record)
    }

    /// The versions `session` may list (`GET /v1/assessment/tests`): a methodologist every version,
    /// anyone else the policy permits the published ones.
    public static func versions(for session: StaffSession, _ dependencies: Dependencies) async throws -> [TestVersion] {
        let methodologist = session.role == .methodologist
        try await authorise(
            session, "read", test: "list", fields: methodologist ? ["content", "answer_key"] : ["content"],
            purpose: methodologist ? authoring : assessment, dependencies)
        return try await dependencies.store.versions().filter { methodologist || $0.state == .published }
    }

    /// Publishes a draft as `session` (`POST /v1/assessment/tests/{code}/versions/{version}/publish`),
    /// audited as `assessment.test_changed` (`published`).
    public static func publish(code: String, version: Int, as session: StaffSession, _ dependencies: Dependencies) async throws -> TestVersion {
        try await authorise(session, "publish", test: "\(code)@\(version)", fields: [], purpose: authoring, dependencies)
        let policyVersion = dependencies.policies.current.version.digest
        let record: AssessmentStore.Record<TestVersion> = { published in
            try await AuditLog().append(
                AssessmentTestChanged(
                    actor: session.actor, test: published.code, version: published.version, change: .published, purpose: authoring,
                    policyVersion: policyVersion),
                using: dependencies.recorder)
        }
        return try await dependencies.store.publish(code: code, version: version, by: session.accountID, record: record)
    }

    /// The policy's permit for `session` on the tests; a refusal is audited and thrown as `403`.
    static func authorise(
        _ session: StaffSession, _ action: String, test: String, fields: [String], purpose: String, _ dependencies: Dependencies
    ) async throws {
        guard
            try await session.permit(
                action, on: Resource(type: "assessment_test", id: test, attributes: [:]), fields: fields, purpose: purpose,
                policies: dependencies.policies,
                recordDenial: { denial in
                    do {
                        try await AuditLog().append(denial, using: dependencies.recorder)
                    } catch {
                        throw Problem.auditUnavailable
                    }
                }) != nil
        else { throw Problem.forbidden }
    }

    /// Audits a refusal (`policy.decided`, deny) and throws `403 forbidden` (`503` when the audit
    /// record cannot be written).
    static func deny(
        _ session: StaffSession, _ action: String, purpose: String, rule: String?, _ dependencies: Dependencies
    ) async throws -> Never {
        do {
            try await AuditLog().append(
                PolicyDecided(
                    actor: session.actor, decision: .deny, purpose: purpose, action: action, resource: "assessment_test", rule: rule,
                    policyVersion: dependencies.policies.current.version.digest),
                using: dependencies.recorder)
        } catch {
            throw Problem.auditUnavailable
        }
        throw Problem.forbidden
    }

    /// `400 invalid-definition` listing every issue.
    static func invalidDefinition(_ issues: [DefinitionIssue]) -> Response {
        let body = InvalidDefinitionBody(
            issues: issues.map { .init(code: $0.code.rawValue, section: $0.section, question: $0.question, message: $0.description) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var buffer = ByteBuffer()
        buffer.writeBytes((try? encoder.encode(body)) ?? Data(#"{"code":"invalid-definition","status":400}"#.utf8))
        return Response(
            status: .badRequest, headers: [.contentType: "application/problem+json", .cacheControl: "no-store"],
            body: .init(byteBuffer: buffer))
    }
}
