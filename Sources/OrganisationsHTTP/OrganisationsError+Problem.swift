public import Gateway
public import Organisations

extension OrganisationsError: HTTPProblemConvertible {
    /// The answer for each code: fixed titles, nothing from the request.
    public var problem: Problem {
        switch code {
        case .invalidArgument: Problem(.badRequest, code: "invalid-organisation", title: "A field of the organisation is missing or malformed.")
        case .invalidINN: Problem(.unprocessableContent, code: "invalid-inn", title: "The INN does not verify against its check digits.")
        case .invalidOGRN: Problem(.unprocessableContent, code: "invalid-ogrn", title: "The OGRN does not verify against its check digit.")
        case .notFound: Problem(.notFound, code: "organisation-not-found", title: "No such organisation is registered.")
        case .alreadyRegistered: Problem(.conflict, code: "organisation-exists", title: "An organisation of this kind and id is already registered.")
        case .unknownRegion: Problem(.unprocessableContent, code: "unknown-region", title: "The region is not registered.")
        case .forbidden: Problem.forbidden
        case .auditUnavailable: Problem.auditUnavailable
        case .storage: Problem.unavailable
        }
    }
}
