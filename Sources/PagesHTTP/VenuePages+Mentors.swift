import Accounts
import AccountsHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
import TrialsHTTP

extension VenuePages {
    /// A mentor account as the page lists it.
    struct MentorAccount: Sendable {
        let id: String
        let login: String
    }

    /// The venue's registered mentors (`TrialsDesk.mentors`) and its active mentor accounts
    /// (`StaffRoutes.accounts(of:_:)`, what `GET /v1/staff` runs), for the page and the event form.
    static func mentors(_ staff: StaffSession, _ caller: TrialsCaller, _ trials: TrialsRoutes.Dependencies, _ administration: StaffRoutes.Dependencies)
        async throws -> (registered: [MentorAccount], candidates: [MentorAccount])
    {
        let registered = try await trials.desk.mentors(caller)
        let accounts = try await StaffRoutes.accounts(of: staff, administration).filter { $0.role == .mentor }
        let logins = Dictionary(accounts.map { ($0.id, $0.login) }, uniquingKeysWith: { first, _ in first })
        return (
            registered.map { MentorAccount(id: $0, login: logins[$0] ?? $0) },
            accounts.filter { $0.status == .active && !registered.contains($0.id) }.map { MentorAccount(id: $0.id, login: $0.login) }
        )
    }

    /// `GET /app/venue/mentors` and `POST /app/venue/mentors` (`account`): registering one of the
    /// venue's mentor accounts, `TrialsRoutes.addMentor` as `POST /v1/trials/mentors` runs it.
    static func addMentors(
        to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ trials: TrialsRoutes.Dependencies, staff administration: StaffRoutes.Dependencies
    ) {
        pages.get("venue/mentors") { request, context -> Response in
            try await kit.trialsPage(context, role: .venue, whose: whose, trials) { staff, caller in
                do {
                    let (registered, candidates) = try await mentors(staff, caller, trials, administration)
                    return try kit.page(
                        .venueMentors, staff: staff,
                        values: [
                            "mentors": registered, "hasMentors": !registered.isEmpty, "candidates": candidates, "hasCandidates": !candidates.isEmpty,
                            "added": request.uri.queryParameters["done"] == "added",
                        ])
                } catch {
                    return try kit.refusal(error, staff: staff)
                }
            }
        }
        pages.post("venue/mentors") { request, context -> Response in
            try await kit.trialsPage(context, role: .venue, whose: whose, trials) { staff, caller in
                let account = try await CSRFMiddleware.form(request)["account"] ?? ""
                do {
                    try await TrialsRoutes.addMentor(caller, account: account, trials)
                } catch {
                    return try kit.refusal(error, staff: staff, back: "/app/venue/mentors")
                }
                return PageKit.redirect("/app/venue/mentors?done=added")
            }
        }
    }
}
