import GnuTLS

/// Runs the client certificate verification for one handshake and remembers its outcome.
///
/// The GnuTLS session calls ``evaluate(_:)`` from its verify callback; the handler reads
/// ``outcome`` (or ``refusal``) when the handshake ends.
final class HandshakeVerification {
    private let material: TLSMaterial
    private let authentication: ClientAuthentication
    private(set) var outcome: ClientVerification = .anonymous

    init(material: TLSMaterial, authentication: ClientAuthentication) {
        self.material = material
        self.authentication = authentication
    }

    /// The refusal of the verify callback, if it refused.
    var refusal: ClientCertificateRefusal? {
        if case .refused(let refusal) = self.outcome { return refusal }
        return nil
    }

    /// Verifies the chain the client sent during a full handshake; `false` fails the handshake.
    func evaluate(_ chain: [[UInt8]]) -> Bool {
        self.outcome = self.material.verify(chain: chain, authentication: self.authentication)
        if case .refused = self.outcome { return false }
        return true
    }

    /// Verifies the chain remembered by a resumed session against the current rules.
    func reverify(_ chain: [[UInt8]]) -> ClientVerification {
        if self.authentication == .none { return .anonymous }
        self.outcome = self.material.verify(chain: chain, authentication: self.authentication)
        return self.outcome
    }
}
