import GnuTLS
public import Identity
public import TLS

/// The workstation certificate a connection presented and the gateway verified: its principal and
/// its serial. A session is bound to it at login, and every request on the session must present
/// the same one.
public struct PresentedCertificate: Sendable, Hashable {
    /// The verified principal (`bilet://school/77-1234/ws/3`).
    public let principal: Identity.Principal
    /// The serial, lowercase hexadecimal without leading zero bytes (as `ca.certificates` keeps it).
    public let serial: String
    /// When the certificate (its verified chain) expires, seconds since 1970 (UTC); `nil` when not
    /// known. A session does not resolve on a certificate past it.
    public let notAfter: Int?

    /// The certificate of `peer`; nil when the connection presented none.
    public init?(_ peer: PeerIdentity) {
        guard let principal = peer.principal, let key = peer.clientCertificate else { return nil }
        self.init(principal: principal, serial: key.serial, notAfter: peer.clientCertificateNotAfter)
    }

    /// A certificate from its parts; leading zero bytes of `serial` are dropped.
    public init(principal: Identity.Principal, serial: [UInt8], notAfter: Int? = nil) {
        self.principal = principal
        self.serial = SerialNumber.hex(serial)
        self.notAfter = notAfter
    }

    /// `serial:<hex>`, the certificate's identifier in audit records.
    public var auditIdentifier: String { "serial:\(serial)" }
}
