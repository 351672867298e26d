public import Gateway
public import Hummingbird
public import HTTPTypes
public import Identity
public import TLS
import NIOCore

/// The certificate routes: `POST /v1/certificates/renew`, renewal without an administrator.
///
/// A workstation or service presents its still-valid certificate in the mTLS handshake and sends
/// a PKCS#10 request (PEM, `Content-Type: application/pkcs10`) for the same identity. The route
/// hands the verified principal, the serial of the certificate the handshake verified (never
/// anything the request claims) and the request to the CA's renewal function, and answers
/// `200` with the new certificate and the issuing CA certificate
/// (`application/pem-certificate-chain`), or a problem document with the refusal's code.
///
/// The gateway knows nothing of the CA: the process that hosts both passes ``Renew`` (the
/// `bilet serve` wiring, or a test). Register with one line in the router set-up:
/// `CertificateRoutes.add(to: router, renew: …)`.
public enum CertificateRoutes {
    /// A renewal request as the gateway verified it.
    public struct RenewalRequest: Sendable {
        /// The principal of the connection's verified client certificate.
        public let principal: Principal
        /// The (issuer, serial) of that certificate.
        public let presentedCertificate: RevocationKey
        /// The request body: a PKCS#10 request, PEM.
        public let requestPEM: String
    }

    /// A refusal: its HTTP status and its stable code (the problem document's `code`).
    public struct RenewalRefusal: Error, Sendable, Hashable {
        public let status: HTTPResponse.Status
        public let code: String
        public let title: String

        /// Makes a refusal.
        public init(status: HTTPResponse.Status, code: String, title: String) {
            self.status = status
            self.code = code
            self.title = title
        }
    }

    /// Renews: returns the new certificate chain, PEM, or throws a ``RenewalRefusal``.
    public typealias Renew = @Sendable (RenewalRequest) async throws(RenewalRefusal) -> String

    /// The largest request body accepted, in bytes.
    public static let maximumRequestBytes = 16 * 1024

    /// Adds `POST /v1/certificates/renew` to `router`.
    public static func add(to router: Router<BiletRequestContext>, renew: @escaping Renew) {
        router.post("/v1/certificates/renew") { request, context -> Response in
            guard let connection = context.connection, let principal = connection.peer.principal,
                let presented = connection.peer.clientCertificate
            else {
                throw Problem(.unauthorized, code: "no-client-certificate", title: "Renewal needs the current client certificate.")
            }
            try JSONBody.requireMediaType(request, "application/pkcs10")
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: Self.maximumRequestBytes)
            } catch {
                throw Problem(.contentTooLarge, code: "request-too-large", title: "The signing request is too large.")
            }
            let chain = try await renew(
                RenewalRequest(principal: principal, presentedCertificate: presented, requestPEM: String(buffer: body)))
            var buffer = ByteBuffer()
            buffer.writeString(chain)
            return Response(
                status: .ok, headers: [.contentType: "application/pem-certificate-chain", .cacheControl: "no-store"],
                body: .init(byteBuffer: buffer))
        }
    }
}

extension CertificateRoutes.RenewalRefusal: HTTPProblemConvertible {
    /// The refusal's problem document: its status, code and title as the CA gave them.
    public var problem: Problem { Problem(status, code: code, title: title) }
}
