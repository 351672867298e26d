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
    /// The venue edits a draft or returned event and names its mentor later:
    ///
    /// - `GET /app/venue/events/{event}/edit`, `POST /app/venue/events/{event}`: the new event's
    ///   form (``EventForm``) filled with the stored details; each refused value next to its field
    ///   (`422`, nothing changed), then `TrialsRoutes.updateEvent`, what
    ///   `PUT /v1/trials/events/{event}` runs (the desk's policy and audit, the vault told who runs
    ///   it; the event is a draft again); a refusal of the module above the form with the API's
    ///   status (`409 wrong-status` once it is submitted or approved); `303` to the list.
    /// - `GET|POST /app/venue/events/{event}/mentor`: one of the venue's registered mentors, at any
    ///   status, through `TrialsRoutes.assignMentor`, what `PUT …/mentor` runs; an account that is
    ///   not the venue's mentor `422` next to the field; `303` to the list.
    ///
    /// Another venue's event or an unknown one is the API's `404 event-not-found`.
    static func addEventEditing(
        to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ trials: TrialsRoutes.Dependencies, staff administration: StaffRoutes.Dependencies
    ) {
        /// The venue's event `id` (``TrialsDesk/venueEvent(_:_:)``: the read decided as for the
        /// venue's list, however old the event), or nil for another venue's event or an unknown one.
        @Sendable func ownEvent(_ caller: TrialsCaller, _ context: BiletRequestContext) async throws -> TrialEvent? {
            guard let id = context.parameters.get("event").flatMap(Int64.init), id > 0 else { return nil }
            do {
                return try await trials.desk.venueEvent(caller, id)
            } catch let error as TrialsError where error.code == .eventNotFound {
                return nil
            }
        }
        @Sendable func notFound(_ staff: StaffSession) -> Response {
            kit.errorPage(TrialsError(.eventNotFound, "no such event").problem, staff: staff, back: "/app/venue/events")
        }
        @Sendable func choices(_ staff: StaffSession, _ caller: TrialsCaller) async throws -> (places: [EventForm.Choice], mentors: [EventForm.Choice]) {
            try await eventChoices(staff, caller, trials, administration)
        }
        @Sendable func editPage(_ staff: StaffSession, _ event: TrialEvent, form: CheckedForm, status: HTTPResponse.Status = .ok) throws -> Response {
            var values: [String: Any] = ["form": form, "eventID": event.id]
            if event.status == .returned, let reason = event.returnReason { values["returnedBecause"] = reason }
            return try kit.page(.venueEventEdit, status: status, staff: staff, values: values)
        }
        pages.get("venue/events/:event/edit") { _, context -> Response in
            try await kit.trialsPage(context, role: .venue, whose: whose, trials) { staff, caller in
                do {
                    guard let event = try await ownEvent(caller, context) else { return notFound(staff) }
                    guard event.status == .draft || event.status == .returned else {
                        return kit.errorPage(TrialsError(.wrongStatus, "only a draft or returned event is edited").problem, staff: staff, back: "/app/venue/events")
                    }
                    let (places, mentors) = try await choices(staff, caller)
                    let form = CheckedForm(EventForm.sections(places: places, mentors: mentors), values: EventForm.values(of: event.details))
                    return try editPage(staff, event, form: form)
                } catch {
                    return try kit.refusal(error, staff: staff, back: "/app/venue/events")
                }
            }
        }
        pages.post("venue/events/:event") { request, context -> Response in
            try await kit.trialsPage(context, role: .venue, whose: whose, trials) { staff, caller in
                let values = try await CSRFMiddleware.form(request)
                let event: TrialEvent
                let (places, mentors): ([EventForm.Choice], [EventForm.Choice])
                do {
                    guard let own = try await ownEvent(caller, context) else { return notFound(staff) }
                    event = own
                    (places, mentors) = try await choices(staff, caller)
                } catch {
                    return try kit.refusal(error, staff: staff, back: "/app/venue/events")
                }
                switch EventForm.check(values, places: places, mentors: mentors) {
                case .invalid(let form):
                    return try editPage(staff, event, form: form, status: .unprocessableContent)
                case .valid(let details):
                    do {
                        _ = try await TrialsRoutes.updateEvent(caller, event.id, details, session: staff, trials)
                    } catch let error as TrialsError where [.invalidArgument, .placeNotFound, .mentorNotFound, .wrongStatus].contains(error.code) {
                        var form = CheckedForm(EventForm.sections(places: places, mentors: mentors), values: values)
                        form.message = PageMessages.message(for: error.problem)
                        return try editPage(staff, event, form: form, status: error.problem.status)
                    } catch {
                        return try kit.refusal(error, staff: staff, back: "/app/venue/events")
                    }
                    return PageKit.redirect("/app/venue/events?done=updated")
                }
            }
        }

        /// The mentor's form: the venue's registered mentors, the event's own selected.
        @Sendable func mentorPage(
            _ staff: StaffSession, _ caller: TrialsCaller, _ event: TrialEvent, chosen: String?, error: String? = nil,
            status: HTTPResponse.Status = .ok
        ) async throws -> Response {
            let registered = try await mentors(staff, caller, trials, administration).registered
            let logins = Dictionary(registered.map { ($0.id, $0.login) }, uniquingKeysWith: { first, _ in first })
            let sections = EventForm.mentorSections(mentors: registered.map { EventForm.Choice(value: $0.id, label: $0.login) })
            var form = CheckedForm(sections, values: FormValues(["mentor": chosen ?? event.details.mentor ?? ""]))
            if let error { form.refuse("mentor", error) }
            let current = event.details.mentor.map { logins[$0] ?? $0 } ?? "не назначен"
            return try kit.page(
                .venueEventMentor, status: status, staff: staff,
                values: [
                    "form": form, "hasMentors": !registered.isEmpty, "eventID": event.id, "eventTitle": event.details.title,
                    "eventTime": "\(RussianFormat.moscowDateTime(event.details.startsAt)) — \(RussianFormat.moscowDateTime(event.details.endsAt))",
                    "eventStatus": RussianFormat.eventStatus(event.status), "currentMentor": current,
                ])
        }
        pages.get("venue/events/:event/mentor") { _, context -> Response in
            try await kit.trialsPage(context, role: .venue, whose: whose, trials) { staff, caller in
                do {
                    guard let event = try await ownEvent(caller, context) else { return notFound(staff) }
                    return try await mentorPage(staff, caller, event, chosen: nil)
                } catch {
                    return try kit.refusal(error, staff: staff, back: "/app/venue/events")
                }
            }
        }
        pages.post("venue/events/:event/mentor") { request, context -> Response in
            try await kit.trialsPage(context, role: .venue, whose: whose, trials) { staff, caller in
                let mentor = try await CSRFMiddleware.form(request)["mentor"] ?? ""
                do {
                    guard let event = try await ownEvent(caller, context) else { return notFound(staff) }
                    guard !mentor.isEmpty else {
                        return try await mentorPage(staff, caller, event, chosen: mentor, error: "Выберите наставника.", status: .unprocessableContent)
                    }
                    do {
                        _ = try await TrialsRoutes.assignMentor(caller, event.id, mentor: mentor, session: staff, trials)
                    } catch let error as TrialsError where error.code == .mentorNotFound {
                        return try await mentorPage(
                            staff, caller, event, chosen: mentor, error: PageMessages.message(for: error.problem), status: error.problem.status)
                    }
                } catch {
                    return try kit.refusal(error, staff: staff, back: "/app/venue/events")
                }
                return PageKit.redirect("/app/venue/events?done=mentor")
            }
        }
    }
}
