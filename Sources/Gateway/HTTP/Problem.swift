public import Hummingbird
public import HTTPTypes
import NIOCore

/// An error answer: an `application/problem+json` document (RFC 9457) with a stable `code`.
///
/// The title is fixed text written for the route, never built from personal data, request
/// values or internals. Throw it from a route, or have a component's error describe its own
/// answer through ``HTTPProblemConvertible``.
public struct Problem: Error, Sendable, Hashable, HTTPResponseError {
    public var status: HTTPResponse.Status
    /// Stable machine-readable code (`session-required`, `pupil-not-found`, …).
    public var code: String
    /// One sentence for a person, in English; never personal data.
    public var title: String
    /// Extra response headers (`Retry-After`, …).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, title: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.title = title
        self.headers = headers
    }

    /// The answer.
    public var response: Response {
        var buffer = ByteBuffer()
        buffer.writeString(json)
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: buffer))
    }

    /// The document's JSON text.
    public var json: String {
        #"{"code":\#(JSONBody.quoted(code)),"status":\#(status.code),"title":\#(JSONBody.quoted(title)),"type":"about:blank"}"#
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response { response }
}

/// An error that knows its own HTTP answer, so routes never map error codes by hand.
public protocol HTTPProblemConvertible: Error {
    /// The problem document this error is answered with.
    var problem: Problem { get }
}

extension Problem {
    /// `500 internal-error`: what an error without an answer of its own gets.
    public static let internalError = Problem(.internalServerError, code: "internal-error", title: "The request could not be handled.")
    /// `404 route-not-found`: no route serves this path.
    public static let routeNotFound = Problem(.notFound, code: "route-not-found", title: "No route serves this path.")
    /// `405 method-not-allowed`: the path is served, not with this method.
    public static let methodNotAllowed = Problem(
        .methodNotAllowed, code: "method-not-allowed", title: "This path is not served with this method.")
    /// `401 session-required`: the request carries no live staff session (one answer for every cause).
    public static let staffSessionRequired = Problem(.unauthorized, code: "session-required", title: "A staff session is required.")
    /// `401 session-required`: the request carries no live pupil session (one answer for every cause).
    public static let pupilSessionRequired = Problem(.unauthorized, code: "session-required", title: "A pupil session is required.")
    /// `413 body-too-large`.
    public static let bodyTooLarge = Problem(.contentTooLarge, code: "body-too-large", title: "The request body is too large.")
    /// `403 forbidden`: the policy refused the request (the refusal is audited where it is decided).
    public static let forbidden = Problem(.forbidden, code: "forbidden", title: "The policy does not permit this request.")
    /// `503 audit-unavailable`: the audit record could not be written, so nothing was done or returned.
    public static let auditUnavailable = Problem(
        .serviceUnavailable, code: "audit-unavailable", title: "The audit log cannot record this now; try again later.")
    /// `503 unavailable`: the database failed or cannot be reached.
    public static let unavailable = Problem(.serviceUnavailable, code: "unavailable", title: "The service is unavailable; try again later.")

    /// The answer to a framework error that carries only a status (Hummingbird's `HTTPError`):
    /// a fixed code and title per status, never the error's message.
    public init(status: HTTPResponse.Status) {
        switch status {
        case .badRequest: self.init(.badRequest, code: "malformed-request", title: "The request is malformed.")
        case .notFound: self = .routeNotFound
        case .methodNotAllowed: self = .methodNotAllowed
        case .contentTooLarge: self = .bodyTooLarge
        case .unsupportedMediaType:
            self.init(.unsupportedMediaType, code: "unsupported-media-type", title: "This body type is not accepted here.")
        case _ where status.code >= 500: self = .internalError
        default: self.init(status, code: "request-refused", title: "The request was refused.")
        }
    }
}

extension Problem: HTTPProblemConvertible {
    public var problem: Problem { self }
}
