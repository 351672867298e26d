import Accounts
import AccountsHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import Trials
import TrialsHTTP

extension VenuePages {
    /// The choices of the event form: the venue's places (`TrialsDesk.places`) and registered
    /// mentors (``mentors(_:_:_:_:)``).
    static func eventChoices(
        _ staff: StaffSession, _ caller: TrialsCaller, _ trials: TrialsRoutes.Dependencies, _ administration: StaffRoutes.Dependencies
    ) async throws -> (places: [EventForm.Choice], mentors: [EventForm.Choice]) {
        let places = try await trials.desk.places(caller).map { EventForm.Choice(value: String($0.id), label: "\($0.name) (до \($0.capacity) мест)") }
        let mentors = try await mentors(staff, caller, trials, administration).registered.map { EventForm.Choice(value: $0.id, label: $0.login) }
        return (places, mentors)
    }

    /// The venue's events (`TrialsRoutes.events`, `GET /v1/trials/events`'s), a new event's form
    /// and its submission (`TrialsRoutes.createEvent`, `POST /v1/trials/events`'s: the desk, then
    /// the vault told who runs it), and submitting a draft to the coordinator
    /// (`TrialsRoutes.submit`, `POST …/submit`'s).
    static func addEvents(
        to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ trials: TrialsRoutes.Dependencies, staff administration: StaffRoutes.Dependencies
    ) {
        @Sendable func choices(_ staff: StaffSession, _ caller: TrialsCaller) async throws -> (places: [EventForm.Choice], mentors: [EventForm.Choice]) {
            try await eventChoices(staff, caller, trials, administration)
        }
        pages.get("venue/events") { request, context -> Response in
            try await kit.trialsPage(context, role: .venue, whose: whose, trials) { staff, caller in
                do {
                    let events = try await TrialsRoutes.events(caller, status: nil, trials.desk)
                    let places = Dictionary(try await trials.desk.places(caller).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
                    let rows = events.map { EventRow($0, places: places) }
                    let done: String? =
                        switch request.uri.queryParameters["done"].map(String.init) {
                        case "created": "Черновик мероприятия сохранён. Отправьте его на согласование, когда всё готово."
                        case "submitted": "Мероприятие отправлено на согласование региональному координатору."
                        case "updated": "Изменения сохранены: мероприятие снова черновик. Отправьте его на согласование, когда всё готово."
                        case "mentor": "Наставник мероприятия назначен."
                        default: nil
                        }
                    var values: [String: Any] = ["venueEvents": rows, "hasVenueEvents": !rows.isEmpty]
                    if let done { values["done"] = done }
                    return try kit.page(.venueEvents, staff: staff, values: values)
                } catch {
                    return try kit.refusal(error, staff: staff)
                }
            }
        }
        pages.get("venue/events/new") { _, context -> Response in
            try await kit.trialsPage(context, role: .venue, whose: whose, trials) { staff, caller in
                do {
                    let (places, mentors) = try await choices(staff, caller)
                    return try kit.page(.venueEventNew, staff: staff, values: ["form": CheckedForm(EventForm.sections(places: places, mentors: mentors))])
                } catch {
                    return try kit.refusal(error, staff: staff)
                }
            }
        }
        pages.post("venue/events") { request, context -> Response in
            try await kit.trialsPage(context, role: .venue, whose: whose, trials) { staff, caller in
                let values = try await CSRFMiddleware.form(request)
                let (places, mentors): ([EventForm.Choice], [EventForm.Choice])
                do {
                    (places, mentors) = try await choices(staff, caller)
                } catch {
                    return try kit.refusal(error, staff: staff)
                }
                switch EventForm.check(values, places: places, mentors: mentors) {
                case .invalid(let form):
                    return try kit.page(.venueEventNew, status: .unprocessableContent, staff: staff, values: ["form": form])
                case .valid(let details):
                    do {
                        _ = try await TrialsRoutes.createEvent(caller, details, session: staff, trials)
                    } catch let error as TrialsError where error.code == .invalidArgument || error.code == .placeNotFound {
                        var form = CheckedForm(EventForm.sections(places: places, mentors: mentors), values: values)
                        form.message = PageMessages.message(for: error.problem)
                        return try kit.page(.venueEventNew, status: error.problem.status, staff: staff, values: ["form": form])
                    } catch {
                        return try kit.refusal(error, staff: staff, back: "/app/venue/events/new")
                    }
                    return PageKit.redirect("/app/venue/events?done=created")
                }
            }
        }
        pages.post("venue/events/:event/submit") { _, context -> Response in
            try await kit.trialsPage(context, role: .venue, whose: whose, trials) { staff, caller in
                guard let id = context.parameters.get("event").flatMap(Int64.init), id > 0 else {
                    return kit.errorPage(TrialsError(.eventNotFound, "no such event").problem, staff: staff, back: "/app/venue/events")
                }
                do {
                    _ = try await TrialsRoutes.submit(caller, id, session: staff, trials)
                } catch {
                    return try kit.refusal(error, staff: staff, back: "/app/venue/events")
                }
                return PageKit.redirect("/app/venue/events?done=submitted")
            }
        }
    }
}
