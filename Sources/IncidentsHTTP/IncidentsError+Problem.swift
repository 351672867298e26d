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
        case .forbidden: Problem(.forbidden, code: "forbidden", title: "The policy does not permit this request.")
        case .auditUnavailable:
            Problem(.serviceUnavailable, code: "audit-unavailable", title: "The audit log cannot record this now; try again later.")
        case .storage: Problem(.serviceUnavailable, code: "unavailable", title: "The service is unavailable; try again later.")
        }
    }
}
