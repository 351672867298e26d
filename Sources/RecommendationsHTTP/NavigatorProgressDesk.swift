public import Accounts
public import Assessment
public import Gateway
public import Hummingbird
public import Recommendations
import Tokens
public import Trials
public import VaultDoor
import VaultHTTP

/// A navigator's view of their own assigned pupils' progress, by name: the vault lists the
/// caller's live `assigned_navigator` facts and releases, per pupil of the page, the name for
/// `recommendation` (`navigator.pupils.assigned`, consent, `pii.read`) and the pupil's module
/// tokens (`token.resolved`); the gateway then counts each module's rows by those tokens, one
/// read-only query per module per page, through the module's own role. The module tokens stay in
/// this process: the answer carries the vault token, the name and counts only. The KPI figures
/// (``KPIDesk``) stay aggregate; this is the per-pupil view the issue keeps for the pupil's own
/// navigator.
public struct NavigatorProgressDesk: Sendable {
    /// The page size when none is asked for, and the largest one.
    public static let defaultLimit = 50
    public static let maximumLimit = 100

    public let assessment: AssessmentStore
    public let trials: TrialsStore
    public let recommendations: RecommendationsStore
    public let door: VaultDoorClient

    /// A desk over the modules' stores and the vault's door.
    public init(assessment: AssessmentStore, trials: TrialsStore, recommendations: RecommendationsStore, door: VaultDoorClient) {
        self.assessment = assessment
        self.trials = trials
        self.recommendations = recommendations
        self.door = door
    }

    /// The page after `after` (a vault token, exclusive) of at most `limit` of the caller's
    /// assigned pupils. Navigators only (`403 forbidden` otherwise).
    public func page(_ session: StaffSession, after: String?, limit: Int) async throws -> NavigatorProgressReport {
        guard session.role == .navigator else { throw RecommendationsHTTPRefusal.forbidden }
        let answer = try await DoorCalls.call(
            door, .navigators(.progressPage(after: after, limit: limit), caller: DoorCalls.caller(for: session)))
        guard case .navigators(.progress(let page)) = answer else { throw Problem.internalError }
        let assessmentTokens = page.pupils.compactMap { $0.assessmentToken.flatMap(AssessmentToken.init) }
        let trialsTokens = page.pupils.compactMap { $0.trialsToken.flatMap(TrialsToken.init) }
        let recommendationsTokens = page.pupils.compactMap { $0.recommendationsToken.flatMap(RecommendationsToken.init) }
        let tests: [String: AssessmentProgress]
        let events: [String: TrialsProgress]
        let published: Set<String>
        do {
            tests = try await assessment.progress(of: assessmentTokens)
            events = try await trials.progress(of: trialsTokens)
            published = try await recommendations.withPublished(recommendationsTokens)
        } catch {
            throw Problem.unavailable
        }
        let pupils = page.pupils.map { pupil in
            var entry = NavigatorProgressEntry(
                pupil: pupil.pupil, surname: pupil.surname, firstName: pupil.firstName, patronymic: pupil.patronymic,
                nameWithheld: pupil.refusal)
            if let token = pupil.assessmentToken, let figures = tests[token] {
                entry.testsAssigned = figures.assigned
                entry.testsCompleted = figures.completed
            }
            if let token = pupil.trialsToken, let figures = events[token] {
                entry.trialsEnrolled = figures.enrolled
                entry.trialsAttended = figures.attended
            }
            if let token = pupil.recommendationsToken { entry.recommendationPublished = published.contains(token) }
            return entry
        }
        return NavigatorProgressReport(pupils: pupils, next: page.next)
    }
}

/// The progress route's own refusals.
public enum NavigatorProgressRefusal: Error, HTTPProblemConvertible {
    /// `400 invalid-query`: `after` is a pupil token and `limit` 1…100.
    case invalidQuery

    public var problem: Problem {
        Problem(.badRequest, code: "invalid-query", title: "after is a pupil token and limit a number from 1 to 100.")
    }
}

/// `GET /v1/navigators/me/progress?after=&limit=`, behind a staff session: a navigator's assigned
/// pupils with their names and per-module figures (``NavigatorProgressDesk``).
public enum NavigatorProgressRoutes {
    /// Adds the route to `router`.
    public static func add(to router: Router<BiletRequestContext>, sessions: StaffSessions, desk: NavigatorProgressDesk) {
        router.group("/v1/navigators/me/progress").add(middleware: StaffSessionMiddleware(sessions: sessions)).get { request, context -> Response in
            let session = try context.requireStaff()
            let query = request.uri.queryParameters
            var limit = NavigatorProgressDesk.defaultLimit
            if let text = query["limit"] {
                guard text.count <= 3, text.allSatisfy(\.isASCII), let parsed = Int(text), (1...NavigatorProgressDesk.maximumLimit).contains(parsed)
                else { throw NavigatorProgressRefusal.invalidQuery }
                limit = parsed
            }
            var after: String?
            if let text = query["after"] {
                guard SubjectToken(String(text)) != nil else { throw NavigatorProgressRefusal.invalidQuery }
                after = String(text)
            }
            return JSONBody.response(.ok, try await desk.page(session, after: after, limit: limit))
        }
    }
}
