import Accounts
import Foundation
import Gateway
import Hummingbird
import Pages
import RecommendationsHTTP
import VaultHTTP

/// The pupil's published recommendations (`GET /app/pupil/recommendations`): what
/// `GET /v1/pupil/recommendations` answers, through ``RecommendationsDesk/published(_:)`` with the
/// session's door caller (the vault releases the pupil's own recommendations token under policy and
/// the `recommendation` consent, audited).
extension PupilPages {
    /// One published recommendation as the page shows it.
    struct RecommendationRow {
        let title: String
        let text: String
        let published: String
    }

    static func addRecommendations(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ dependencies: Dependencies) {
        pages.get("recommendations") { _, context -> Response in
            let pupil = try context.requirePupil()
            return await guarded(kit, pupil) {
                let rows = try await dependencies.recommendations.published(DoorCalls.caller(forPupil: pupil)).map { item in
                    RecommendationRow(
                        title: item.ranked.title, text: item.ranked.text, published: item.publishedAt.map(RussianFormat.moscowDateTime) ?? "")
                }
                return try kit.pupilPage(.pupilRecommendations, pupil: pupil, values: ["recommendations": rows, "hasRecommendations": !rows.isEmpty])
            }
        }
    }
}
