public import Hummingbird
import HTTPTypes
public import Identity
import Foundation

/// The gateway's own routes: `GET /healthz` and `GET /v1/whoami`.
public enum GatewayRoutes {
    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            Self.json(.ok, #"{"status":"ok"}"#)
        }
        router.get("/v1/whoami") { _, context -> Response in
            guard let connection = context.connection, let principal = connection.peer.principal else {
                return Self.problem(.unauthorized, code: "no-client-certificate", title: "This connection has no verified client certificate.")
            }
            let body = WhoAmI(principal: principal, tls: .init(connection.peer.tls), listener: connection.listener)
            let data = (try? Self.encoder.encode(body)) ?? Data("{}".utf8)
            return Self.json(.ok, String(decoding: data, as: UTF8.self))
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(text)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    /// An `application/problem+json` answer (RFC 9457) with a stable `code`.
    static func problem(_ status: HTTPResponse.Status, code: String, title: String) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(#"{"code":"\#(code)","status":\#(status.code),"title":"\#(title)","type":"about:blank"}"#)
        return Response(status: status, headers: [.contentType: "application/problem+json"], body: .init(byteBuffer: buffer))
    }
}

/// The answer of `GET /v1/whoami`.
public struct WhoAmI: Codable, Sendable, Hashable {
    /// The organisation of a device principal.
    public struct OrganisationBody: Codable, Sendable, Hashable {
        public let kind: String
        public let id: String
    }

    /// The device of a device principal.
    public struct DeviceBody: Codable, Sendable, Hashable {
        public let kind: String
        public let number: Int
    }

    /// What TLS negotiated.
    public struct TLSBody: Codable, Sendable, Hashable {
        public let `protocol`: String
        public let cipherSuite: String
        public let resumed: Bool

        init(_ parameters: TLSNegotiatedParameters) {
            self.protocol = parameters.protocolVersion
            self.cipherSuite = parameters.cipherSuite
            self.resumed = parameters.resumed
        }
    }

    /// The principal's canonical URI.
    public let principal: String
    /// `device` or `service`.
    public let kind: String
    public let organisation: OrganisationBody?
    public let device: DeviceBody?
    public let service: String?
    public let tls: TLSBody
    /// The listener the request came in on.
    public let listener: String

    init(principal: Principal, tls: TLSBody, listener: String) {
        self.principal = principal.uri
        self.tls = tls
        self.listener = listener
        switch principal {
        case .device(let organisation, let device):
            self.kind = "device"
            self.organisation = OrganisationBody(kind: organisation.kind.rawValue, id: organisation.id.value)
            self.device = DeviceBody(kind: device.kind.rawValue, number: device.number)
            self.service = nil
        case .service(let name):
            self.kind = "service"
            self.organisation = nil
            self.device = nil
            self.service = name.value
        }
    }
}

import TLS
import GnuTLS
