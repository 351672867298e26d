import Accounts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import Trials
import TrialsHTTP
import VaultHTTP

extension NavigatorPages {
    /// A refusal shown above one of the event page's two forms (`enrol` or `cancel`), with the
    /// pupil chosen kept selected.
    struct FormRefusal: Sendable {
        enum Form: Sendable { case enrol, cancel }
        let form: Form
        let pupil: String
        let message: String
    }

    /// `GET /app/navigator/events` (`TrialsRoutes.enrollableEvents`, what `GET /v1/trials/events`
    /// runs for a navigator: the fields the policy releases to it only), `GET /app/navigator/events/{event}` (`TrialsRoutes.seats`, `GET …/seats`'s, with
    /// all of the navigator's assigned pupils to choose from, named as the vault releases them for
    /// `enrolment` through `DoorCalls.assignedPupils(for: .enrolment, …)`), `POST /app/navigator/events/{event}/enrolments`
    /// (`TrialsRoutes.enrol`, `POST …/enrolments`'s) and `POST /app/navigator/events/{event}/cancel`
    /// (`TrialsRoutes.cancel`, `DELETE …/enrolments/{pupil}`'s; the pupil in the form's body).
    static func addEvents(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ dependencies: Dependencies) {
        let trials = dependencies.trials
        /// The event's page: its seats, the navigator's own enrolments in it, the two forms.
        @Sendable func eventPage(
            _ staff: StaffSession, _ caller: TrialsCaller, _ id: Int64, status: HTTPResponse.Status = .ok, notice: String? = nil,
            refused: FormRefusal? = nil
        ) async throws -> Response {
            do {
                let (event, standing) = try await TrialsRoutes.seats(caller, id, trials.desk)
                let pupils = try await DoorCalls.assignedPupils(for: .enrolment, session: staff, door: trials.door).map {
                    NavigatorPupil(token: $0.pupil, surname: $0.surname, firstName: $0.firstName, patronymic: $0.patronymic, withheld: $0.refusal)
                }
                let own = standing.own.map { ["text": EnrolmentText.own(seated: $0.state == .seated, position: $0.waitingPosition)] }
                var values: [String: Any] = [
                    "navEvent": EnrollableEventRow(EnrollableEvent(event)), "navEventID": event.id, "navCapacity": event.details.capacity, "navSeated": standing.seated,
                    "navWaiting": standing.waiting, "navOwn": own, "hasNavOwn": !own.isEmpty, "hasNavPupils": !pupils.isEmpty,
                    "navEnrolChoices": NavigatorPupil.choices(pupils, selected: refused?.form == .enrol ? refused?.pupil : nil),
                    "navCancelChoices": NavigatorPupil.choices(pupils, selected: refused?.form == .cancel ? refused?.pupil : nil),
                ]
                if let notice { values["navNotice"] = notice }
                if let refused { values[refused.form == .enrol ? "navEnrolError" : "navCancelError"] = refused.message }
                return try kit.page(.navigatorEvent, status: status, staff: staff, values: values)
            } catch {
                return try kit.refusal(error, staff: staff, back: "/app/navigator/events")
            }
        }
        /// The event of the path, or the API's `404` page.
        @Sendable func eventID(_ context: BiletRequestContext) -> Int64? {
            context.parameters.get("event").flatMap(Int64.init).flatMap { $0 > 0 ? $0 : nil }
        }
        @Sendable func unknownEvent(_ staff: StaffSession) -> Response {
            kit.errorPage(TrialsError(.eventNotFound, "no such event").problem, staff: staff, back: "/app/navigator/events")
        }

        pages.get("navigator/events") { _, context -> Response in
            try await kit.trialsPage(context, role: .navigator, whose: whose, trials) { staff, caller in
                do {
                    let rows = try await TrialsRoutes.enrollableEvents(caller, status: nil, trials.desk).map(EnrollableEventRow.init)
                    return try kit.page(.navigatorEvents, staff: staff, values: ["navEvents": rows, "hasNavEvents": !rows.isEmpty, "navEventCount": rows.count])
                } catch {
                    return try kit.refusal(error, staff: staff)
                }
            }
        }
        pages.get("navigator/events/:event") { request, context -> Response in
            try await kit.trialsPage(context, role: .navigator, whose: whose, trials) { staff, caller in
                guard let id = eventID(context) else { return unknownEvent(staff) }
                let query = request.uri.queryParameters
                let seated = query["state"] == "seated"
                let known = query["state"] == "seated" || query["state"] == "waiting"
                var notice: String?
                if known, query["done"] == "enrolled" {
                    notice = EnrolmentText.enrolled(seated: seated, position: query["position"].flatMap { Int($0) }, again: query["again"] == "1")
                } else if known, query["done"] == "cancelled" {
                    notice = EnrolmentText.cancelled(wasSeated: seated, promoted: query["promoted"] == "1")
                }
                return try await eventPage(staff, caller, id, notice: notice)
            }
        }
        pages.post("navigator/events/:event/enrolments") { request, context -> Response in
            try await kit.trialsPage(context, role: .navigator, whose: whose, trials) { staff, caller in
                guard let id = eventID(context) else { return unknownEvent(staff) }
                guard let pupil = pupilToken(try await CSRFMiddleware.form(request)["pupil"]) else {
                    return try await eventPage(
                        staff, caller, id, status: .unprocessableContent, refused: FormRefusal(form: .enrol, pupil: "", message: "Выберите ученика."))
                }
                let enrolled: TrialsRoutes.Enrolled
                do {
                    enrolled = try await TrialsRoutes.enrol(caller, id, pupil: pupil, session: staff, trials)
                } catch {
                    guard let problem = PageKit.problem(of: error) else { throw error }
                    return try await eventPage(
                        staff, caller, id, status: problem.status, refused: FormRefusal(form: .enrol, pupil: pupil, message: message(for: problem)))
                }
                var location = "/app/navigator/events/\(id)?done=enrolled&state=\(enrolled.enrolment.state.rawValue)"
                if let position = enrolled.enrolment.waitingPosition { location += "&position=\(position)" }
                if enrolled.status == .ok { location += "&again=1" }
                return PageKit.redirect(location)
            }
        }
        pages.post("navigator/events/:event/cancel") { request, context -> Response in
            try await kit.trialsPage(context, role: .navigator, whose: whose, trials) { staff, caller in
                guard let id = eventID(context) else { return unknownEvent(staff) }
                guard let pupil = pupilToken(try await CSRFMiddleware.form(request)["pupil"]) else {
                    return try await eventPage(
                        staff, caller, id, status: .unprocessableContent, refused: FormRefusal(form: .cancel, pupil: "", message: "Выберите ученика."))
                }
                let cancellation: Cancellation
                do {
                    cancellation = try await TrialsRoutes.cancel(caller, id, pupil: pupil, session: staff, trials).1
                } catch {
                    guard let problem = PageKit.problem(of: error) else { throw error }
                    return try await eventPage(
                        staff, caller, id, status: problem.status, refused: FormRefusal(form: .cancel, pupil: pupil, message: message(for: problem)))
                }
                return PageKit.redirect(
                    "/app/navigator/events/\(id)?done=cancelled&state=\(cancellation.was.rawValue)&promoted=\(cancellation.promoted == nil ? 0 : 1)")
            }
        }
    }
}
