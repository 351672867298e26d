import Accounts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import Trials
import TrialsHTTP

extension RegionPages {
    /// One submitted event with its return form (a refused reason next to its field).
    struct Card: Sendable {
        let event: EventRow
        var reason: String = ""
        var reasonError: String?
    }

    /// `GET /app/region/events`, `POST /app/region/events/{event}/approve`,
    /// `POST /app/region/events/{event}/return` (`reason`, 1 to 2000 characters).
    static func addEvents(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ trials: TrialsRoutes.Dependencies) {
        @Sendable func list(_ staff: StaffSession, status: HTTPResponse.Status = .ok, decided: String? = nil, refused: (Int64, String, String)? = nil) async throws
            -> Response
        {
            let events: [TrialEvent]
            do {
                events = try await TrialsRoutes.events(try TrialsCaller(staff, trials), status: nil, trials.desk)
            } catch {
                return try kit.refusal(error, staff: staff)
            }
            let cards = events.map { event in
                var card = Card(event: EventRow(event))
                if let refused, refused.0 == event.id {
                    card.reason = refused.1
                    card.reasonError = refused.2
                }
                return card
            }
            var values: [String: Any] = ["regionEvents": cards, "hasRegionEvents": !cards.isEmpty]
            if let decided { values["decided"] = decided }
            return try kit.page(.regionEvents, status: status, staff: staff, values: values)
        }
        @Sendable func decide(_ context: BiletRequestContext, approve: Bool, reason: String?) async throws -> Response {
            let staff = try context.requireStaff()
            guard staff.role == .regionalCoordinator else { return kit.notForRole(staff, whose) }
            guard let id = context.parameters.get("event").flatMap(Int64.init), id > 0 else {
                return kit.errorPage(TrialsError(.eventNotFound, "no such event").problem, staff: staff, back: "/app/region/events")
            }
            do {
                _ = try await trials.desk.decide(try TrialsCaller(staff, trials), id, approve: approve, reason: reason)
            } catch {
                return try kit.refusal(error, staff: staff, back: "/app/region/events")
            }
            return PageKit.redirect("/app/region/events?done=" + (approve ? "approved" : "returned"))
        }
        pages.get("region/events") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .regionalCoordinator else { return kit.notForRole(staff, whose) }
            let decided: String? =
                switch request.uri.queryParameters["done"].map(String.init) {
                case "approved": "Мероприятие согласовано: ученики могут на него записываться."
                case "returned": "Мероприятие возвращено площадке с вашей причиной."
                default: nil
                }
            return try await list(staff, decided: decided)
        }
        pages.post("region/events/:event/approve") { _, context -> Response in
            try await decide(context, approve: true, reason: nil)
        }
        pages.post("region/events/:event/return") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .regionalCoordinator else { return kit.notForRole(staff, whose) }
            let typed = try await CSRFMiddleware.form(request)["reason"] ?? ""
            let reason = typed.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...2000).contains(reason.count) else {
                let message = reason.isEmpty ? "Напишите, что площадке исправить." : "Не длиннее 2000 символов."
                let id = context.parameters.get("event").flatMap(Int64.init) ?? 0
                return try await list(staff, status: .unprocessableContent, refused: (id, typed, message))
            }
            return try await decide(context, approve: false, reason: reason)
        }
    }
}
