import Accounts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import Tokens
import Trials
import TrialsHTTP

/// The mentor's pages, made for a phone at the event (the workstation's certificate still
/// required): the events the mentor runs (`TrialsRoutes.events`, `GET /v1/trials/events`'s), an
/// event's attendance list a page at a time (`TrialsRoutes.attendance`, `GET …/attendance`'s:
/// names through the vault's door, as the policy and the pupil's consent release them, audited)
/// and a mark per pupil (`TrialsDesk.mark`, `PUT …/attendance/{pupil}`'s). The trials token in a
/// mark's address is the module's pseudonym, as in the API; no name is ever in an address.
enum MentorPages {
    static let whose = "наставника"

    static func add(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, trials: TrialsRoutes.Dependencies) {
        /// The attendance page of `id` from `offset`; `refused` puts a message next to one pupil's mark.
        @Sendable func sheet(
            _ staff: StaffSession, _ caller: TrialsCaller, _ id: Int64, offset: Int, status: HTTPResponse.Status = .ok, saved: Bool = false,
            refused: (pupil: String, message: String)? = nil
        ) async throws -> Response {
            do {
                let event = try await trials.desk.runEvent(caller, id, purpose: TrialsDesk.eventAttendance)
                let answer = try await TrialsRoutes.attendance(caller, id, offset: offset, limit: 100, session: staff, trials)
                let rows = answer.pupils.enumerated().map { index, row in
                    var sheetRow = AttendanceSheet.Row(
                        number: offset + index + 1, pupil: row.pupil, firstName: row.firstName, surnameInitial: row.surname,
                        withheld: row.nameWithheld, attended: row.attended, grade: row.grade, feedback: row.feedback)
                    if let refused, refused.pupil == row.pupil { sheetRow.error = refused.message }
                    return sheetRow
                }
                var values: [String: Any] = [
                    "eventID": id, "eventTitle": event.details.title, "seatedCount": answer.seated, "rows": rows, "hasRows": !rows.isEmpty,
                    "eventTime": RussianFormat.moscowDateTime(event.details.startsAt) + " — " + RussianFormat.moscowDateTime(event.details.endsAt),
                    "saved": saved,
                ]
                if let next = answer.next { values["nextPage"] = next }
                return try kit.page(.mentorAttendance, status: status, staff: staff, values: values)
            } catch {
                return try kit.refusal(error, staff: staff, back: "/app/mentor/events")
            }
        }
        pages.get("mentor/events") { _, context -> Response in
            try await kit.trialsPage(context, role: .mentor, whose: whose, trials) { staff, caller in
                do {
                    let rows = try await TrialsRoutes.events(caller, status: nil, trials.desk).map { EventRow($0) }
                    return try kit.page(.mentorEvents, staff: staff, values: ["mentorEvents": rows, "hasMentorEvents": !rows.isEmpty])
                } catch {
                    return try kit.refusal(error, staff: staff)
                }
            }
        }
        pages.get("mentor/events/:event") { request, context -> Response in
            try await kit.trialsPage(context, role: .mentor, whose: whose, trials) { staff, caller in
                let query = request.uri.queryParameters
                guard let id = context.parameters.get("event").flatMap(Int64.init), id > 0,
                    let offset = query["offset"].map({ Int($0) }) ?? 0, (0...10_000_000).contains(offset)
                else {
                    return kit.errorPage(TrialsError(.eventNotFound, "no such event").problem, staff: staff, back: "/app/mentor/events")
                }
                return try await sheet(staff, caller, id, offset: offset, saved: query["done"] == "saved")
            }
        }
        pages.post("mentor/events/:event/attendance/:pupil") { request, context -> Response in
            try await kit.trialsPage(context, role: .mentor, whose: whose, trials) { staff, caller in
                guard let id = context.parameters.get("event").flatMap(Int64.init), id > 0 else {
                    return kit.errorPage(TrialsError(.eventNotFound, "no such event").problem, staff: staff, back: "/app/mentor/events")
                }
                guard let pupil = context.parameters.get("pupil").flatMap(TrialsToken.init) else {
                    return kit.errorPage(TrialsError(.notEnrolled, "not enrolled").problem, staff: staff, back: "/app/mentor/events/\(id)")
                }
                switch AttendanceSheet.mark(try await CSRFMiddleware.form(request)) {
                case .failure(let refusal):
                    return try await sheet(staff, caller, id, offset: 0, status: .unprocessableContent, refused: (pupil.rawValue, refusal.message))
                case .success(let mark):
                    do {
                        try await trials.desk.mark(
                            caller, AttendanceMark(event: id, pupil: pupil, attended: mark.attended, grade: mark.grade, feedback: mark.feedback))
                    } catch {
                        return try kit.refusal(error, staff: staff, back: "/app/mentor/events/\(id)")
                    }
                    return PageKit.redirect("/app/mentor/events/\(id)?done=saved")
                }
            }
        }
    }
}
