import Accounts
import Gateway
import HTTPTypes
import Hummingbird
import VaultDoor

/// Navigator teachers' assignments to pupils (`/v1/pupils/{token}/navigators…`), behind a staff
/// session: a school assigns one of its navigator accounts to one of its pupils until the end of
/// the school year (1 July), lists the pupil's current navigators, and ends an assignment.
///
/// The vault decides (the school's own pupil and its own navigator), records the
/// `assigned_navigator` fact the navigators' policies read, and audits `navigator.assignment`.
/// Another school's pupil answers as an unknown token (`404 pupil-not-found`), another school's
/// navigator as an unknown account (`404 navigator-not-found`).
enum NavigatorRoutes {
    /// The largest JSON body these routes read.
    static let bodyLimit = 4 * 1024

    static func add(to router: Router<BiletRequestContext>, door: VaultDoorClient, sessions: StaffSessions) {
        let navigators = router.group("/v1/pupils/:token/navigators").add(middleware: StaffSessionMiddleware(sessions: sessions))
        navigators.post { request, context -> Response in
            let caller = try DoorCalls.caller(for: context)
            let token = try context.parameters.require("token")
            let body = try await JSONBody.decode(AssignBody.self, from: request, limit: bodyLimit)
            guard case .navigators(.assigned(let assignment)) = try await DoorCalls.call(
                door, .navigators(.assign(pupil: token, navigator: body.navigator), caller: caller))
            else { throw Problem.internalError }
            return JSONBody.response(.created, AssignmentBody(assignment))
        }
        navigators.get { _, context -> Response in
            let caller = try DoorCalls.caller(for: context)
            let token = try context.parameters.require("token")
            guard case .navigators(.assignments(let assignments)) = try await DoorCalls.call(
                door, .navigators(.list(pupil: token), caller: caller))
            else { throw Problem.internalError }
            return JSONBody.response(.ok, AssignmentList(navigators: assignments.map(AssignmentBody.init)))
        }
        navigators.delete(":navigator") { _, context -> Response in
            let caller = try DoorCalls.caller(for: context)
            let token = try context.parameters.require("token")
            let navigator = try context.parameters.require("navigator")
            guard case .navigators(.ended) = try await DoorCalls.call(
                door, .navigators(.end(pupil: token, navigator: navigator), caller: caller))
            else { throw Problem.internalError }
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
    }

    /// `POST /v1/pupils/{token}/navigators`.
    struct AssignBody: Decodable {
        let navigator: String
    }

    /// One assignment in an answer.
    struct AssignmentBody: Encodable {
        let navigator: String
        let validFrom: String
        let validUntil: String

        init(_ summary: NavigatorAssignmentSummary) {
            navigator = summary.navigator
            validFrom = summary.validFrom
            validUntil = summary.validUntil
        }

        enum CodingKeys: String, CodingKey {
            case navigator
            case validFrom = "valid_from"
            case validUntil = "valid_until"
        }
    }

    /// `GET /v1/pupils/{token}/navigators`.
    struct AssignmentList: Encodable {
        let navigators: [AssignmentBody]
    }
}
