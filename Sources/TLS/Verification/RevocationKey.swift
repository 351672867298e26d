public import GnuTLS

/// What a CRL entry names: the issuer's distinguished name (DER) and the serial number (unsigned,
/// big-endian, no leading zero bytes). A certificate and the CRL entry that revokes it have equal keys.
public struct RevocationKey: Sendable, Hashable {
    /// The issuer's distinguished name exactly as encoded.
    public let issuer: [UInt8]
    /// The serial number without leading zero bytes.
    public let serial: [UInt8]

    /// Makes a key from its parts.
    public init(issuer: [UInt8], serial: [UInt8]) {
        self.issuer = issuer
        self.serial = serial
    }

    /// The key of `certificate`.
    public init(_ certificate: X509Certificate) {
        self.init(issuer: certificate.rawIssuer, serial: certificate.serialNumber)
    }
}
