import GnuTLS

/// Runs the client certificate verifier for one handshake and remembers its outcome.
///
/// The GnuTLS session calls ``evaluate(_:)`` from its verify callback; the handler reads
/// ``outcome`` (or ``refusal``) when the handshake ends.
final class HandshakeVerification {
    private let verifier: ClientCertificateVerifier
    private let authentication: ClientAuthentication
    private(set) var outcome: ClientVerification = .anonymous

    init(verifier: ClientCertificateVerifier, authentication: ClientAuthentication) {
        self.verifier = verifier
        self.authentication = authentication
    }

    /// The refusal of the verify callback, if it refused.
    var refusal: ClientCertificateRefusal? {
        if case .refused(let refusal) = self.outcome { return refusal }
        return nil
    }

    /// Verifies the chain the client sent during a full handshake; `false` fails the handshake.
    func evaluate(_ chain: [X509Certificate]) -> Bool {
        self.outcome = self.verifier.verify(chain: chain, authentication: self.authentication)
        if case .refused = self.outcome { return false }
        return true
    }

    /// Verifies the chain remembered by a resumed session against the current rules.
    func reverify(_ chain: [X509Certificate]) -> ClientVerification {
        if self.authentication == .none { return .anonymous }
        self.outcome = self.verifier.verify(chain: chain, authentication: self.authentication)
        return self.outcome
    }
}
