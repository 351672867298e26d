public import Gateway
public import Incidents

extension IncidentsError: HTTPProblemConvertible {
    /// The answer for each code: fixed titles, nothing from the request.
    public var problem: Problem {
        switch code {
        case .invalidArgument: Problem(.badRequest, code: "invalid-incident", title: "A field of the incident is missing or malformed.")
        case .discoveredInFuture:
            Problem(.unprocessableContent, code: "discovered-in-future", title: "The discovery time is later than the server's clock.")
        case .notFound: Problem(.notFound, code: "incident-not-found", title: "No such incident is registered.")
        case .noticeOrder:
            Problem(.conflict, code: "notice-order", title: "The first notice must be sent before the results of the investigation.")
        case .forbidden: Problem.forbidden
        case .auditUnavailable: Problem.auditUnavailable
        case .storage: Problem.unavailable
        }
    }
}
