import Accounts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import RecommendationsHTTP
import Tokens
import TrialsHTTP

/// The navigator's pages behind the page session, one file each part: enrolling the navigator's
/// pupils in the region's approved events (`NavigatorPages+Events.swift`) and reviewing, editing
/// and publishing their recommendations (`NavigatorPages+Recommendations.swift`). Each calls what
/// the matching JSON route calls: `TrialsRoutes.enrollableEvents`, `TrialsRoutes.seats`,
/// `TrialsRoutes.enrol`, `TrialsRoutes.cancel` (`/v1/trials/…`), the ``RecommendationsDesk``
/// (`/v1/recommendations/pupils/…`) and the navigator's own pupils: for enrolling, their names
/// read for `enrolment` (`DoorCalls.assignedPupils(for: .enrolment, …)`); for recommendations, from
/// ``NavigatorProgressDesk`` (`GET /v1/navigators/me/progress`, names read for
/// `recommendation`). Names only as the vault releases them, each read audited. So the policy decides, the vault checks the assignment and the
/// consent, and the audit log records exactly as for the API.
enum NavigatorPages {
    static let whose = "навигатора"

    /// What the navigator's pages need: the same services as the API's routes.
    struct Dependencies: Sendable {
        let trials: TrialsRoutes.Dependencies
        let recommendations: RecommendationsDesk
        let progress: NavigatorProgressDesk
    }

    /// Adds the navigator's pages.
    static func add(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ dependencies: Dependencies) {
        addEvents(to: pages, kit, dependencies)
        addRecommendations(to: pages, kit, dependencies)
    }

    /// One page (up to 100, after the vault token `after`) of the navigator's assigned pupils, as
    /// `GET /v1/navigators/me/progress` answers them: each name as the vault released it.
    static func pupils(_ staff: StaffSession, _ dependencies: Dependencies, after: String? = nil) async throws -> (pupils: [NavigatorPupil], next: String?) {
        let report = try await dependencies.progress.page(staff, after: after, limit: NavigatorProgressDesk.maximumLimit)
        let pupils = report.pupils.map {
            NavigatorPupil(
                token: $0.pupil, surname: $0.surname, firstName: $0.firstName, patronymic: $0.patronymic, withheld: $0.nameWithheld,
                trialsEnrolled: $0.trialsEnrolled, trialsAttended: $0.trialsAttended, recommendationPublished: $0.recommendationPublished)
        }
        return (pupils, report.next)
    }

    /// The sentence a navigator's page shows for a refusal: the navigator's own wording of the
    /// codes about their pupils and events, else the pages' common one.
    static func message(for problem: Problem) -> String {
        switch problem.code {
        case "pupil-not-found": "Этот ученик не закреплён за вами (или такого ученика нет)."
        case "consent-missing": "Нет действующего согласия ученика на эту цель: запись и рекомендации без него невозможны."
        case "consent-withdrawn": "Согласие ученика на эту цель отозвано: запись и рекомендации без него невозможны."
        case "consent-expired": "Срок согласия ученика на эту цель истёк: запись и рекомендации без него невозможны."
        case "wrong-status": "Запись на это мероприятие закрыта: оно уже закончилось или больше не согласовано."
        case "not-enrolled": "Этот ученик не записан на мероприятие."
        case "recommendation-not-found": "У этого ученика нет такой рекомендации."
        default: PageMessages.message(for: problem)
        }
    }

    /// `page` for a navigator's session; any other role gets the page naming whose page it is.
    static func navigatorPage(
        _ kit: PageKit, _ context: BiletRequestContext, _ page: (StaffSession) async throws -> Response
    ) async throws -> Response {
        let staff = try context.requireStaff()
        guard staff.role == .navigator else { return kit.notForRole(staff, whose) }
        return try await page(staff)
    }

    /// The pupil's vault token of a path or a form, or nil when it is not one.
    static func pupilToken(_ text: String?) -> String? {
        guard let text, SubjectToken(text) != nil else { return nil }
        return text
    }
}
