import CertificateAuthority
import CertificatesHTTP
import Gateway
import GnuTLS
import HTTPTypes
import Identity
import LocalSocket
import Logging
import Settings

/// The gateway/CA boundary over `ca.socket`: certificate renewal (the gateway forwards the CSR, the
/// presented certificate's serial and the verified principal; the CA process, which alone holds
/// the issuing keys, decides and issues), and the security administrator's inventory and
/// revocations (``CertificateInventoryForwarding``: the gateway has asked the policy first and
/// forwards the staff member as the actor the CA audits).
enum RenewalForwarding {
    /// A renewal as the gateway forwards it.
    struct Renewal: Codable, Sendable {
        let requestPEM: String
        let presentedSerialHex: String
        let principal: String
    }

    /// What the gateway sends.
    enum Request: Codable, Sendable {
        case renew(Renewal)
        case inventory(CertificateInventoryRoutes.Query)
        case revoke(serial: String, reason: String, actor: String)
    }

    /// What the CA answers: the new chain, the inventory, the revocation, or a refusal with the
    /// CA's stable code.
    enum Response: Codable, Sendable {
        case issued(chainPEM: String)
        case certificates([CertificateInventoryRoutes.Certificate])
        case revoked(CertificateInventoryRoutes.Revocation)
        case refused(status: Int, code: String, title: String)
    }

    /// The part ``StartupProgress`` waits for in the CA process.
    static let part = "ca-renewal"

    /// The CA process's server, renewing through `authority`.
    static func server(
        _ settings: CASettings, authority: CertificateAuthority, progress: StartupProgress, logger: Logger
    ) throws -> LocalSocketServer<Request, Response> {
        LocalSocketServer(
            name: "ca-renewal", socketPath: settings.socket,
            allowedUsers: try SystemUsers.ids(of: settings.socketUsers, setting: "ca.socket_users"),
            maximumRequestBytes: 64 * 1024, logger: logger,
            invalidRequest: { .refused(status: 400, code: "invalid-request", title: "Not a renewal request.") },
            onListening: { progress.arrived(Self.part) }
        ) { request, _ in
            switch request {
            case .renew(let renewal): return await renew(renewal, authority: authority)
            case .inventory(let query): return await CertificateInventoryForwarding.list(query, authority: authority)
            case .revoke(let serial, let reason, let actor):
                return await CertificateInventoryForwarding.revoke(serial: serial, reason: reason, actor: actor, authority: authority)
            }
        }
    }

    /// Renews in the CA process.
    static func renew(_ request: Renewal, authority: CertificateAuthority) async -> Response {
        guard let serial = SerialNumber.parse(request.presentedSerialHex),
            let principal = try? IdentityURI.parse(request.principal)
        else { return .refused(status: 400, code: "invalid-request", title: "Not a renewal request.") }
        do throws(CertificateAuthorityError) {
            let renewed = try await authority.renew(
                requestPEM: request.requestPEM, presentedSerial: serial, principal: principal)
            return .issued(chainPEM: renewed.chainPEM)
        } catch {
            return .refused(status: error.httpStatus, code: error.code.rawValue, title: error.title)
        }
    }

    /// The gateway's renewal function: forwards to the CA process on `socketPath`. When the CA process
    /// cannot be reached the renewal is refused with 503 `ca-unavailable`.
    static func client(socketPath: String) -> CertificateRoutes.Renew {
        { request throws(CertificateRoutes.RenewalRefusal) in
            let forwarded = Request.renew(
                Renewal(
                    requestPEM: request.requestPEM, presentedSerialHex: SerialNumber.hex(request.presentedCertificate.serial),
                    principal: request.principal.description))
            let response: Response
            do {
                response = try await LocalSocketClient.call(forwarded, expecting: Response.self, socketPath: socketPath)
            } catch {
                throw CertificateRoutes.RenewalRefusal(
                    status: .serviceUnavailable, code: "ca-unavailable", title: "The certificate authority cannot be reached; try again later.")
            }
            switch response {
            case .issued(let chain): return chain
            case .refused(let status, let code, let title):
                throw CertificateRoutes.RenewalRefusal(status: HTTPResponse.Status(code: status), code: code, title: title)
            case .certificates, .revoked:
                throw CertificateRoutes.RenewalRefusal(status: .serviceUnavailable, code: "ca-unavailable", title: "The certificate authority answered out of turn.")
            }
        }
    }
}
