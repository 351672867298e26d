public import Accounts
public import Assessment
import Foundation
import Gateway
import Hummingbird
import HTTPTypes
public import Tokens
import VaultDoor
import VaultHTTP

/// A pupil's own assessment routes on the pupils' listener, behind a pupil session
/// (``PupilSessionMiddleware``):
///
/// - `GET /v1/pupil/assessment/assignments`: the tests assigned to the pupil;
/// - `POST /v1/pupil/assessment/assignments/{id}/session`: starts the next attempt or resumes the
///   open session (`409 attempts-exhausted` when the test allows no more);
/// - `GET /v1/pupil/assessment/sessions/{id}`: the session with its saved answers;
/// - `PUT /v1/pupil/assessment/sessions/{id}/answers/{question}` `{"choice": …}`: saves one answer
///   (`204`; again with the same answer changes nothing; `409 deadline-passed` after the time limit);
/// - `POST /v1/pupil/assessment/sessions/{id}/submit`: scores and records the result;
/// - `GET /v1/pupil/assessment/results`, `GET /v1/pupil/assessment/footprint`.
///
/// Every request first takes the session's own assessment token: asked of the vault's door
/// (policy, `assessment` consent, `token.resolved` audited) at the session's first request and
/// again after ``PupilSessionCache/ttl`` (60 s by default; `gateway.pupil_token_ttl_seconds`), kept
/// in between (attack review #4): a consent withdrawal or an erasure takes effect within that
/// bound. Nothing in a request can name another pupil, and another pupil's assignment or session
/// answers `404` as an unknown id does.
public enum PupilAssessmentRoutes {
    static func add(to router: Router<BiletRequestContext>, _ dependencies: AssessmentRoutes.Dependencies) {
        let own = router.group("/v1/pupil/assessment").add(middleware: PupilSessionMiddleware(accounts: dependencies.pupils))
        let store = dependencies.store
        own.get("assignments") { _, context -> Response in
            let pupil = try await token(context, dependencies)
            return JSONBody.response(.ok, AssignmentList(assignments: try await store.assignments(for: pupil).map(AssignmentBody.init)))
        }
        own.post("assignments/:id/session") { _, context -> Response in
            let pupil = try await token(context, dependencies)
            guard let id = UUID(uuidString: try context.parameters.require("id")) else {
                throw AssessmentError(.assignmentNotFound, "not an id")
            }
            return JSONBody.response(.ok, SessionBody(try await store.start(assignment: id, pupil: pupil, key: try key(context))))
        }
        own.get("sessions/:id") { _, context -> Response in
            let pupil = try await token(context, dependencies)
            return JSONBody.response(.ok, SessionBody(try await store.session(try session(context), pupil: pupil, key: try key(context))))
        }
        own.put("sessions/:id/answers/:question") { request, context -> Response in
            let pupil = try await token(context, dependencies)
            let id = try session(context)
            let question = try context.parameters.require("question")
            let answer = try await JSONBody.decode(Answer.self, from: request, limit: AssessmentRoutes.maximumRequestBytes)
            try await store.answer(answer, to: question, in: id, pupil: pupil, key: try key(context))
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        own.post("sessions/:id/submit") { _, context -> Response in
            let pupil = try await token(context, dependencies)
            return JSONBody.response(.ok, ResultBody(try await store.submit(try session(context), pupil: pupil, key: try key(context))))
        }
        own.get("results") { _, context -> Response in
            let pupil = try await token(context, dependencies)
            return JSONBody.response(.ok, ResultList(results: try await store.results(for: pupil).map(ResultBody.init)))
        }
        own.get("footprint") { _, context -> Response in
            let pupil = try await token(context, dependencies)
            let values = try await store.footprint(for: pupil).map {
                FootprintBody.Value(dimension: $0.dimension, value: $0.value, updatedAt: $0.updatedAt)
            }
            let history = try await store.footprintHistory(for: pupil).map {
                FootprintBody.Change(
                    dimension: $0.dimension, oldValue: $0.oldValue, newValue: $0.newValue, session: $0.sourceSession.uuidString.lowercased(),
                    changedAt: $0.changedAt)
            }
            return JSONBody.response(.ok, FootprintBody(values: values, history: history))
        }
    }

    /// The school and region a result of the signed-in pupil is counted under in the KPI.
    static func key(_ context: BiletRequestContext) throws -> ResultKey {
        resultKey(of: try context.requirePupil())
    }

    /// The school and region a result of `session`'s pupil is counted under in the KPI.
    public static func resultKey(of session: PupilSession) -> ResultKey {
        ResultKey(school: session.school.id.value, region: session.region)
    }

    /// The session id of the path; a malformed one answers as an unknown one.
    static func session(_ context: BiletRequestContext) throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require("id")) else {
            throw AssessmentError(.sessionNotFound, "not an id")
        }
        return id
    }

    /// The pupil session's own assessment token: the cached one, or from the vault's door.
    static func token(_ context: BiletRequestContext, _ dependencies: AssessmentRoutes.Dependencies) async throws -> Tokens.AssessmentToken {
        try await dependencies.ownToken(of: try context.requirePupil())
    }
}

extension AssessmentRoutes.Dependencies {
    /// `session`'s own assessment token: the cached one (``ownTokens``), or from the vault's door
    /// (policy, `assessment` consent, `token.resolved` audited). What the pupil's assessment routes
    /// and pages take first.
    ///
    /// - Throws: ``Problem`` as the door answers.
    public func ownToken(of session: PupilSession) async throws -> Tokens.AssessmentToken {
        let door = self.door
        return try await ownTokens.value(session: session.sessionID, expiresAt: session.expiresAt) {
            try await AssessmentTokens.own(caller: DoorCalls.caller(forPupil: session), door: door)
        }
    }
}
