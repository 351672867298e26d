public import Gateway
public import Recommendations

extension RecommendationsError: HTTPProblemConvertible {
    /// The answer for each code: fixed titles, nothing from the request.
    public var problem: Problem {
        switch code {
        case .invalidArgument: Problem(.badRequest, code: "invalid-recommendation", title: "A field is missing or malformed.")
        case .notFound: Problem(.notFound, code: "recommendation-not-found", title: "No such recommendation of this pupil.")
        case .recordFailed:
            Problem(.serviceUnavailable, code: "audit-unavailable", title: "The audit log cannot record this now; try again later.")
        case .storage: Problem(.serviceUnavailable, code: "unavailable", title: "The service is unavailable; try again later.")
        }
    }
}
