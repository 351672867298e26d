public import Hummingbird
public import HTTPTypes
import Foundation
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
        buffer.writeString(#"{"code":"\#(code)","status":\#(status.code),"title":"\#(Self.escaped(title))","type":"about:blank"}"#)
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: buffer))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response { response }

    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// An error that knows its own HTTP answer, so routes never map error codes by hand.
public protocol HTTPProblemConvertible: Error {
    /// The problem document this error is answered with.
    var problem: Problem { get }
}

extension Problem: HTTPProblemConvertible {
    public var problem: Problem { self }
}
