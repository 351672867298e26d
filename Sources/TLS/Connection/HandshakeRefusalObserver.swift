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
}
