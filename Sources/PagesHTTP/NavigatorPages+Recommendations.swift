import Accounts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import Recommendations
import RecommendationsHTTP

extension NavigatorPages {
    /// `GET /app/navigator/recommendations?after=` (the navigator's pupils, a page of up to 100,
    /// each with its drafts: ``RecommendationsDesk/review(_:pupil:)``, what
    /// `GET /v1/recommendations/pupils/{pupil}` runs), `GET /app/navigator/recommendations/{pupil}`
    /// (one pupil's drafts and published ones), and the pupil's
    /// `POST …/generate`, `POST …/items/{id}` (the text) and `POST …/items/{id}/publish`, each the
    /// desk's call the JSON route makes.
    static func addRecommendations(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ dependencies: Dependencies) {
        let desk = dependencies.recommendations
        /// The pupil's review page; `refused` puts a message next to one item's text, `message` above all.
        @Sendable func review(
            _ staff: StaffSession, _ pupil: String, status: HTTPResponse.Status = .ok, notice: String? = nil,
            refused: (id: Int64, text: String, message: String)? = nil, message: String? = nil
        ) async throws -> Response {
            do {
                let items = try await desk.review(staff, pupil: pupil).map { item in
                    var row = RecommendationReviewRow(
                        id: item.id, kind: item.ranked.kind.rawValue, title: item.ranked.title, text: item.ranked.text, draft: item.status == .draft,
                        publishedAt: item.publishedAt)
                    if let refused, refused.id == item.id {
                        row = RecommendationReviewRow(
                            id: item.id, kind: item.ranked.kind.rawValue, title: item.ranked.title, text: refused.text, draft: true, publishedAt: nil)
                        row.textError = refused.message
                    }
                    return row
                }
                var values: [String: Any] = ["navPupilToken": pupil, "navItems": items, "hasNavItems": !items.isEmpty]
                if let notice { values["navNotice"] = notice }
                if let message { values["navRecMessage"] = message }
                return try kit.page(.navigatorPupilRecommendations, status: status, staff: staff, values: values)
            } catch {
                guard let problem = PageKit.problem(of: error) else { throw error }
                return kit.errorPage(problem.status, Self.message(for: problem), staff: staff, back: "/app/navigator/recommendations")
            }
        }
        @Sendable func itemID(_ context: BiletRequestContext) -> Int64? {
            context.parameters.get("id").flatMap(Int64.init).flatMap { $0 > 0 ? $0 : nil }
        }
        @Sendable func unknownPupil(_ staff: StaffSession) -> Response {
            kit.errorPage(.notFound, Self.message(for: Problem(.notFound, code: "pupil-not-found", title: "")), staff: staff, back: "/app/navigator/recommendations")
        }

        pages.get("navigator/recommendations") { request, context -> Response in
            try await navigatorPage(kit, context) { staff in
                let after = request.uri.queryParameters["after"].map(String.init)
                if after != nil, pupilToken(after) == nil { return unknownPupil(staff) }
                do {
                    let (pupils, next) = try await Self.pupils(staff, dependencies, after: after)
                    var cards: [RecommendationDraftsCard] = []
                    for pupil in pupils {
                        guard pupil.named else {
                            cards.append(RecommendationDraftsCard(pupil, unavailable: "Рекомендации недоступны: нет согласия ученика или доступа по правилам."))
                            continue
                        }
                        let items: [StoredRecommendation]
                        do {
                            items = try await desk.review(staff, pupil: pupil.token)
                        } catch {
                            // One pupil refused (a consent withdrawn since): that card says why, the others stay.
                            guard let problem = PageKit.problem(of: error) else { throw error }
                            cards.append(RecommendationDraftsCard(pupil, unavailable: Self.message(for: problem)))
                            continue
                        }
                        let drafts = items.filter { $0.status == .draft }.map {
                            RecommendationReviewRow(id: $0.id, kind: $0.ranked.kind.rawValue, title: $0.ranked.title, text: $0.ranked.text, draft: true, publishedAt: nil)
                        }
                        cards.append(RecommendationDraftsCard(pupil, drafts: drafts, published: items.count - drafts.count))
                    }
                    var values: [String: Any] = ["navRecPupils": cards, "hasNavRecPupils": !cards.isEmpty]
                    if let next { values["navNext"] = next }
                    return try kit.page(.navigatorRecommendations, staff: staff, values: values)
                } catch {
                    return try kit.refusal(error, staff: staff)
                }
            }
        }
        pages.get("navigator/recommendations/:pupil") { request, context -> Response in
            try await navigatorPage(kit, context) { staff in
                guard let pupil = pupilToken(context.parameters.get("pupil")) else { return unknownPupil(staff) }
                let notice: String? =
                    switch request.uri.queryParameters["done"].map(String.init) {
                    case "generated": "Черновики подготовлены заново по результатам тестов и проб."
                    case "edited": "Текст рекомендации сохранён."
                    case "published": "Рекомендация опубликована: ученик видит её в личном кабинете."
                    default: nil
                    }
                return try await review(staff, pupil, notice: notice)
            }
        }
        pages.post("navigator/recommendations/:pupil/generate") { _, context -> Response in
            try await navigatorPage(kit, context) { staff in
                guard let pupil = pupilToken(context.parameters.get("pupil")) else { return unknownPupil(staff) }
                do {
                    _ = try await desk.generate(staff, pupil: pupil)
                } catch {
                    guard let problem = PageKit.problem(of: error) else { throw error }
                    return try await review(staff, pupil, status: problem.status, message: Self.message(for: problem))
                }
                return PageKit.redirect("/app/navigator/recommendations/\(pupil)?done=generated")
            }
        }
        pages.post("navigator/recommendations/:pupil/items/:id") { request, context -> Response in
            try await navigatorPage(kit, context) { staff in
                guard let pupil = pupilToken(context.parameters.get("pupil")) else { return unknownPupil(staff) }
                guard let id = itemID(context) else {
                    return try await review(staff, pupil, status: .notFound, message: Self.message(for: RecommendationsError(.notFound, "").problem))
                }
                let text = try await CSRFMiddleware.form(request)["text"] ?? ""
                if let refusal = RecommendationReviewRow.textRefusal(text) {
                    return try await review(staff, pupil, status: .unprocessableContent, refused: (id, text, refusal))
                }
                do {
                    _ = try await desk.edit(staff, pupil: pupil, id: id, text: text)
                } catch {
                    guard let problem = PageKit.problem(of: error) else { throw error }
                    return try await review(staff, pupil, status: problem.status, message: Self.message(for: problem))
                }
                return PageKit.redirect("/app/navigator/recommendations/\(pupil)?done=edited")
            }
        }
        pages.post("navigator/recommendations/:pupil/items/:id/publish") { _, context -> Response in
            try await navigatorPage(kit, context) { staff in
                guard let pupil = pupilToken(context.parameters.get("pupil")) else { return unknownPupil(staff) }
                guard let id = itemID(context) else {
                    return try await review(staff, pupil, status: .notFound, message: Self.message(for: RecommendationsError(.notFound, "").problem))
                }
                do {
                    _ = try await desk.publish(staff, pupil: pupil, id: id)
                } catch {
                    guard let problem = PageKit.problem(of: error) else { throw error }
                    return try await review(staff, pupil, status: problem.status, message: Self.message(for: problem))
                }
                return PageKit.redirect("/app/navigator/recommendations/\(pupil)?done=published")
            }
        }
    }
}
