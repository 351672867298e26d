public import Accounts
import Foundation
public import Gateway
public import Hummingbird
import HTTPTypes
import Recommendations
import VaultDoor

/// The recommendations routes.
///
/// Staff, on a workstation (mTLS) with a staff session (`/v1/recommendations/…`):
/// - navigator: `POST pupils/{pupil}/generate` (the pupil's vault token; the engine ranks from the
///   footprint and trial signals and replaces the drafts; `201`), `GET pupils/{pupil}` (drafts and
///   published), `PUT pupils/{pupil}/items/{id}` `{text}` (edit), `POST pupils/{pupil}/items/{id}/publish`.
///   The vault's door decides each (`navigator.recommendations.assigned`: only pupils assigned to
///   the navigator, `recommendation` consent); any other pupil is `404 pupil-not-found`.
/// - regional coordinator: `POST opportunities` `{title, sphere, competencies, startsAt, endsAt,
///   link}` (`201`), `GET opportunities` (its region's open ones).
///
/// Pupils, on the pupils' listener with a pupil session: `GET /v1/pupil/recommendations`, their
/// published recommendations only (the vault releases the session's own token).
public enum RecommendationsRoutes {
    /// The largest body accepted, in bytes.
    public static let maximumRequestBytes = 16 * 1024

    /// What the routes need.
    public struct Dependencies: Sendable {
        public let sessions: StaffSessions
        public let pupils: PupilAccounts
        public let desk: RecommendationsDesk

        /// Collects the dependencies.
        public init(sessions: StaffSessions, pupils: PupilAccounts, desk: RecommendationsDesk) {
            self.sessions = sessions
            self.pupils = pupils
            self.desk = desk
        }
    }

    /// Adds the staff and pupil routes to `router`.
    public static func add(to router: Router<BiletRequestContext>, _ dependencies: Dependencies) {
        let desk = dependencies.desk
        let staff = router.group("/v1/recommendations").add(middleware: StaffSessionMiddleware(sessions: dependencies.sessions))
        staff.post("pupils/:pupil/generate") { _, context -> Response in
            let items = try await desk.generate(try context.requireStaff(), pupil: try context.parameters.require("pupil"))
            return JSONBody.response(.created, RecommendationListAnswer(recommendations: items.map(RecommendationAnswer.init)))
        }
        staff.get("pupils/:pupil") { _, context -> Response in
            let items = try await desk.review(try context.requireStaff(), pupil: try context.parameters.require("pupil"))
            return JSONBody.response(.ok, RecommendationListAnswer(recommendations: items.map(RecommendationAnswer.init)))
        }
        staff.put("pupils/:pupil/items/:id") { request, context -> Response in
            let body = try await JSONBody.decode(EditBody.self, from: request, limit: maximumRequestBytes)
            let item = try await desk.edit(
                try context.requireStaff(), pupil: try context.parameters.require("pupil"), id: try itemID(context), text: body.text)
            return JSONBody.response(.ok, RecommendationAnswer(item))
        }
        staff.post("pupils/:pupil/items/:id/publish") { _, context -> Response in
            let item = try await desk.publish(try context.requireStaff(), pupil: try context.parameters.require("pupil"), id: try itemID(context))
            return JSONBody.response(.ok, RecommendationAnswer(item))
        }
        staff.post("opportunities") { request, context -> Response in
            let body = try await JSONBody.decode(OpportunityBody.self, from: request, limit: maximumRequestBytes)
            let (startsAt, endsAt) = try body.window()
            let opportunity = try await desk.upload(
                try context.requireStaff(), title: body.title, sphere: body.sphere, competencies: body.competencies ?? [],
                startsAt: startsAt, endsAt: endsAt, link: body.link)
            return JSONBody.response(.created, OpportunityAnswer(opportunity))
        }
        staff.get("opportunities") { _, context -> Response in
            let list = try await desk.opportunities(try context.requireStaff())
            return JSONBody.response(.ok, OpportunityListAnswer(opportunities: list.map(OpportunityAnswer.init)))
        }

        let own = router.group("/v1/pupil/recommendations").add(middleware: PupilSessionMiddleware(accounts: dependencies.pupils))
        own.get { _, context -> Response in
            let session = try context.requirePupil()
            let caller = DoorCaller(
                role: "pupil", account: session.accountID, session: session.sessionID, organisationKind: session.school.kind.rawValue,
                organisationID: session.school.id.value, region: session.region, pupil: session.pupil)
            let items = try await desk.published(caller)
            return JSONBody.response(.ok, RecommendationListAnswer(recommendations: items.map(RecommendationAnswer.init)))
        }
    }

    /// The recommendation id of the path; a malformed one answers as an unknown one.
    static func itemID(_ context: BiletRequestContext) throws(RecommendationsError) -> Int64 {
        guard let id = context.parameters.get("id").flatMap(Int64.init), id > 0 else {
            throw RecommendationsError(.notFound, "no such recommendation of the pupil")
        }
        return id
    }
}
