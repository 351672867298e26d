import GnuTLS

/// A client certificate the gateway refused, as an audit seam sees it: the refusal code, the
/// listener, and the refused certificate's serial and issuer digest when the client sent one.
/// Nothing personal: no subject name, no address, no SAN.
public struct HandshakeRefusal: Sendable, Hashable {
    /// The listener's name (`workstations`).
    public let listener: String
    /// Why it was refused (``ClientCertificateRefusal``).
    public let refusal: ClientCertificateRefusal
    /// The refused leaf certificate's serial, lowercase hexadecimal without leading zero bytes;
    /// nil when the client sent no certificate or it does not parse.
    public let serial: String?
    /// SHA-256 of the refused leaf's issuer name (DER), lowercase hexadecimal; nil as ``serial``.
    public let issuerDigest: String?

    /// A refusal with its parts.
    public init(listener: String, refusal: ClientCertificateRefusal, serial: String?, issuerDigest: String?) {
        self.listener = listener
        self.refusal = refusal
        self.serial = serial
        self.issuerDigest = issuerDigest
    }

    /// A refusal of the chain `chain` (DER, leaf first, as the client sent it).
    public init(listener: String, refusal: ClientCertificateRefusal, chain: [[UInt8]]) {
        let leaf = chain.first.flatMap { try? X509Certificate(der: $0) }
        self.init(
            listener: listener, refusal: refusal, serial: leaf.map { SerialNumber.hex($0.serialNumber) },
            issuerDigest: leaf.flatMap { CertificateFingerprint.sha256($0.rawIssuer) }.map { $0.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined() })
    }
}

/// Told about every client certificate a listener refuses (at the handshake, on resumption, or
/// because it was revoked while the handshake ran), on the connection's event loop: an
/// implementation must return at once and do its own I/O elsewhere. The audit seam of the TLS
/// layer (review finding M4): Accounts' `AuthFailureAggregator` records the refusals as
/// `auth.failed` (method `certificate`), aggregated per certificate.
public protocol HandshakeRefusalObserver: Sendable {
    /// `refusal` happened.
    func handshakeRefused(_ refusal: HandshakeRefusal)
    /// A handshake completed and its client was accepted.
    func handshakeCompleted(listener: String, resumed: Bool)
    /// A handshake failed for a reason other than the client's certificate.
    func handshakeFailed(listener: String, failure: HandshakeFailure)
}

/// A handshake that ended without a session for another reason than the client's certificate.
public enum HandshakeFailure: String, Sendable, Hashable, CaseIterable {
    /// The client sent something GnuTLS refused (garbage, no common protocol or cipher, a bad record).
    case protocolError = "protocol-error"
    /// The handshake did not finish within the listener's handshake timeout.
    case timedOut = "timed-out"
}

extension HandshakeRefusalObserver {
    /// A handshake on `listener` completed and the client was accepted (the metrics count these);
    /// by default nothing. Called on the connection's event loop: return at once.
    public func handshakeCompleted(listener: String, resumed: Bool) {}

    /// A handshake on `listener` failed for `failure`, not because of a certificate; by default nothing.
    /// Called on the connection's event loop: return at once.
    public func handshakeFailed(listener: String, failure: HandshakeFailure) {}
}

/// Several observers told the same things in turn: the audit log's aggregator and the metrics.
public struct HandshakeObservers: HandshakeRefusalObserver {
    /// The observers, told in this order.
    public let observers: [any HandshakeRefusalObserver]

    public init(_ observers: [any HandshakeRefusalObserver]) {
        self.observers = observers
    }

    public func handshakeRefused(_ refusal: HandshakeRefusal) {
        for observer in observers { observer.handshakeRefused(refusal) }
    }

    public func handshakeCompleted(listener: String, resumed: Bool) {
        for observer in observers { observer.handshakeCompleted(listener: listener, resumed: resumed) }
    }

    public func handshakeFailed(listener: String, failure: HandshakeFailure) {
        for observer in observers { observer.handshakeFailed(listener: listener, failure: failure) }
    }
}
