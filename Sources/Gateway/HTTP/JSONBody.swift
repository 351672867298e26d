public import Hummingbird
import Foundation
import NIOCore

/// Reading and writing JSON bodies the same way on every route.
public enum JSONBody {
    /// Decodes `request`'s body as `T`.
    ///
    /// - Throws: ``Problem`` `415 unsupported-media-type` unless the body is declared
    ///   `application/json` (a state-changing request a browser could send across sites as a form
    ///   or text is refused before anything else: no CSRF), `413 body-too-large` beyond `limit`
    ///   bytes, `400 malformed-request` when it is not that JSON.
    public static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws(Problem) -> T {
        try requireMediaType(request, "application/json")
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw Problem.bodyTooLarge
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw Problem(.badRequest, code: "malformed-request", title: "The body is not the JSON this route expects.")
        }
    }

    /// Refuses a body not declared as `mediaType` (parameters such as `charset` aside) with
    /// `415 unsupported-media-type`.
    public static func requireMediaType(_ request: Request, _ mediaType: String) throws(Problem) {
        let declared = request.headers[.contentType]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard declared == mediaType else {
            throw Problem(.unsupportedMediaType, code: "unsupported-media-type", title: "The body must be \(mediaType).")
        }
    }

    /// A JSON answer of `value` (keys sorted, slashes unescaped, `Cache-Control: no-store`:
    /// answers may carry personal data and must not be kept by a browser or proxy).
    public static func response<T: Encodable>(_ status: HTTPResponse.Status, _ value: T) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: buffer))
    }

    /// A JSON answer of `text`, already JSON (`Cache-Control: no-store`), for answers rendered
    /// without an encoder (the audit log's own JSON lines).
    public static func response(_ status: HTTPResponse.Status, jsonText text: String) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(text)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: buffer))
    }

    /// `text` as a JSON string literal, quotes included (for answers built as text: the problem
    /// document, `whoami`, the audit API's JSON lines).
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}": out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
