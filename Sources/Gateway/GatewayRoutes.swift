public import Hummingbird
import HTTPTypes
import APIContract
import Identity
import Foundation

/// The gateway's own routes: `GET /healthz`, `GET /v1/whoami` and `GET /v1/openapi.yaml` (the API
/// contract, ``OpenAPIDocument``).
public enum GatewayRoutes {
    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            Self.json(.ok, #"{"status":"ok"}"#)
        }
        router.get("/v1/whoami") { _, context -> Response in
            guard let connection = context.connection, let principal = connection.peer.principal else {
                throw Problem(.unauthorized, code: "no-client-certificate", title: "This connection has no verified client certificate.")
            }
            let body = WhoAmI(principal: principal, tls: .init(connection.peer.tls), listener: connection.listener)
            return Self.json(.ok, body.json)
        }
        router.get("/v1/openapi.yaml") { _, _ -> Response in
            guard let text = OpenAPIDocument.text else { throw Problem.internalError }
            var buffer = ByteBuffer()
            buffer.writeString(text)
            return Response(
                status: .ok, headers: [.contentType: OpenAPIDocument.mediaType, .cacheControl: "no-cache"],
                body: .init(byteBuffer: buffer))
        }
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(text)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
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

        init(protocol: String, cipherSuite: String, resumed: Bool) {
            self.protocol = `protocol`
            self.cipherSuite = cipherSuite
            self.resumed = resumed
        }

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

    /// The JSON text, keys sorted (what `JSONEncoder` with `.sortedKeys` and unescaped slashes
    /// would write), built by hand because this route answers every health check of every
    /// workstation.
    var json: String {
        var fields: [String] = []
        if let device { fields.append(#""device":{"kind":\#(JSONBody.quoted(device.kind)),"number":\#(device.number)}"#) }
        fields.append(#""kind":\#(JSONBody.quoted(self.kind))"#)
        fields.append(#""listener":\#(JSONBody.quoted(self.listener))"#)
        if let organisation {
            fields.append(#""organisation":{"id":\#(JSONBody.quoted(organisation.id)),"kind":\#(JSONBody.quoted(organisation.kind))}"#)
        }
        fields.append(#""principal":\#(JSONBody.quoted(self.principal))"#)
        if let service { fields.append(#""service":\#(JSONBody.quoted(service))"#) }
        fields.append(
            #""tls":{"cipherSuite":\#(JSONBody.quoted(tls.cipherSuite)),"protocol":\#(JSONBody.quoted(tls.protocol)),"resumed":\#(tls.resumed)}"#)
        return "{" + fields.joined(separator: ",") + "}"
    }

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
