public import CertificateAuthority
import GnuTLS
public import Logging
public import TLS

/// Ends the staff sessions bound to certificates the moment their revocation is in force on this
/// gateway: registered with the ``RevocationListSubscriber``, it ends every live session whose
/// certificate serial was newly revoked (`certificate-revoked`, audited as `session.ended` by
/// `system:crl-subscriber`). Every gateway runs one; the second to arrive finds nothing left.
public struct SessionRevocationObserver: RevocationObserver {
    /// The actor recorded on the `session.ended` events.
    public static let actor = "system:crl-subscriber"

    private let sessions: StaffSessions
    private let logger: Logger

    /// An observer ending sessions in `sessions`.
    public init(sessions: StaffSessions, logger: Logger) {
        self.sessions = sessions
        self.logger = logger
    }

    public func certificatesRevoked(_ revoked: Set<RevocationKey>) async {
        let serials = Set(revoked.map { SerialNumber.hex($0.serial) })
        do {
            let ended = try await sessions.endSessions(boundTo: serials, reason: .certificateRevoked, actor: Self.actor)
            logger.info("staff sessions of revoked certificates ended", metadata: ["sessions.ended": "\(ended)"])
        } catch {
            // The TLS connections are closed already and new handshakes refused; a session left
            // live cannot be used without the revoked certificate. Logged for the operator.
            logger.error("ending the sessions of revoked certificates failed", metadata: ["error": "\(error.code.rawValue)"])
        }
    }
}
