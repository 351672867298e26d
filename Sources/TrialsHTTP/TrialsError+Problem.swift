public import Gateway
public import Trials

extension TrialsError: HTTPProblemConvertible {
    /// The answer for each code: fixed titles, nothing from the request.
    public var problem: Problem {
        switch code {
        case .invalidArgument: Problem(.badRequest, code: "invalid-event", title: "A field is missing or malformed.")
        case .invalidQuery: Problem(.badRequest, code: "invalid-query", title: "A query parameter is malformed or out of range.")
        case .eventNotFound: Problem(.notFound, code: "event-not-found", title: "No such event of yours.")
        case .placeNotFound: Problem(.unprocessableContent, code: "place-not-found", title: "No place of the venue has this id.")
        case .mentorNotFound: Problem(.unprocessableContent, code: "mentor-not-found", title: "The account is not a mentor of the venue.")
        case .wrongStatus: Problem(.conflict, code: "wrong-status", title: "The event's status does not allow this.")
        case .selfApproval:
            Problem(.forbidden, code: "self-approval", title: "A venue does not approve its own events; the region's coordinator does.")
        case .notEnrolled: Problem(.conflict, code: "not-enrolled", title: "The pupil is not enrolled in the event.")
        case .notSeated: Problem(.conflict, code: "not-seated", title: "The pupil is on the waiting list, not seated.")
        case .notRunBy: Problem.forbidden
        case .recordFailed: Problem.auditUnavailable
        case .storage: Problem.unavailable
        }
    }
}
