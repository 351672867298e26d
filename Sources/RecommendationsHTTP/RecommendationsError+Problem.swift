public import Gateway
public import Recommendations

extension RecommendationsError: HTTPProblemConvertible {
    /// The answer for each code: fixed titles, nothing from the request.
    public var problem: Problem {
        switch code {
        case .invalidArgument: Problem(.badRequest, code: "invalid-recommendation", title: "A field is missing or malformed.")
        case .notFound: Problem(.notFound, code: "recommendation-not-found", title: "No such recommendation of this pupil.")
        case .recordFailed: Problem.auditUnavailable
        case .storage: Problem.unavailable
        }
    }
}
