public import Audit
public import Gateway

/// The answer of an audit error reaching a route: a malformed filter is the client's (`400
/// invalid-query`), nothing to prove yet is `404 not-found`, a log that cannot answer or record
/// the read is `503 audit-unavailable` (nothing is returned unless the read was recorded), and
/// anything else is `500 internal-error`. The reason text never reaches the client.
extension AuditError: HTTPProblemConvertible {
    public var problem: Problem {
        switch code {
        case .invalidArgument:
            Problem(.badRequest, code: "invalid-query", title: "A filter is malformed.")
        case .notFound:
            Problem(.notFound, code: "not-found", title: "Nothing matches; no checkpoint covers it yet.")
        case .unavailable, .storage, .refused:
            Problem(.serviceUnavailable, code: "audit-unavailable", title: "The audit log cannot answer now; try again later.")
        default:
            Problem.internalError
        }
    }
}
