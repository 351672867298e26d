import CGnuTLS

/// A failure of a TLS session, with a stable ``code`` and GnuTLS's symbolic error name.
///
/// Descriptions name only the code and the GnuTLS error (`GNUTLS_E_UNSUPPORTED_VERSION_PACKET`);
/// never peer data, certificate contents or key bytes.
public struct TLSSessionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable, matchable reasons.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The handshake failed (bad ClientHello, no shared version or cipher, bad certificate…).
        case handshakeFailed = "handshake-failed"
        /// The peer's certificate was refused by the verifier.
        case peerCertificateRefused = "peer-certificate-refused"
        /// The peer required a certificate we could not provide, or sent none where one was required.
        case peerCertificateMissing = "peer-certificate-missing"
        /// A record could not be decrypted or authenticated, or arrived out of order.
        case recordFailed = "record-failed"
        /// The peer sent a fatal alert.
        case alertReceived = "alert-received"
        /// The peer tried to renegotiate, which this server refuses.
        case renegotiationRefused = "renegotiation-refused"
        /// The peer closed the connection without close_notify.
        case prematureTermination = "premature-termination"
        /// Credentials, priorities or session set-up were refused by GnuTLS.
        case configurationRejected = "configuration-rejected"
        /// GnuTLS could not allocate or initialise a structure.
        case internalFailure = "internal-failure"
    }

    /// The reason, stable across releases.
    public let code: Code
    /// The GnuTLS error code behind it, if any.
    public let gnutlsCode: Int32?

    /// Makes an error.
    public init(_ code: Code, gnutlsCode: Int32? = nil) {
        self.code = code
        self.gnutlsCode = gnutlsCode
    }

    /// GnuTLS's symbolic name of ``gnutlsCode``, e.g. `GNUTLS_E_UNEXPECTED_PACKET_LENGTH`.
    public var gnutlsName: String? { self.gnutlsCode.map(X509Bridge.errorName) }

    public var description: String {
        if let gnutlsName { return "tls \(self.code.rawValue) (\(gnutlsName))" }
        return "tls \(self.code.rawValue)"
    }

    /// Classifies a fatal GnuTLS error from the handshake or record layer.
    static func classify(_ code: Int32, duringHandshake: Bool) -> TLSSessionError {
        switch code {
        case GNUTLS_E_CERTIFICATE_ERROR, GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR:
            return TLSSessionError(.peerCertificateRefused, gnutlsCode: code)
        case GNUTLS_E_NO_CERTIFICATE_FOUND, GNUTLS_E_CERTIFICATE_REQUIRED:
            return TLSSessionError(.peerCertificateMissing, gnutlsCode: code)
        case GNUTLS_E_FATAL_ALERT_RECEIVED:
            return TLSSessionError(.alertReceived, gnutlsCode: code)
        case GNUTLS_E_REHANDSHAKE:
            return TLSSessionError(.renegotiationRefused, gnutlsCode: code)
        case GNUTLS_E_PREMATURE_TERMINATION:
            return TLSSessionError(.prematureTermination, gnutlsCode: code)
        default:
            return TLSSessionError(duringHandshake ? .handshakeFailed : .recordFailed, gnutlsCode: code)
        }
    }
}
