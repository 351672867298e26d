public import TLS

/// Something that must act when certificates are revoked, beyond closing their TLS connections
/// (which the gateway's connection registry already does).
///
/// The hook for staff sessions: a staff member signs in on top of a workstation certificate, so
/// the session code (not written yet) registers an observer with the ``RevocationListSubscriber``
/// and ends every session bound to one of the revoked (issuer, serial) keys. Observers are called
/// after the new CRL is in force on this gateway, once per new CRL, with only the keys that CRL
/// added; a gateway that starts (or reconnects) reports everything revoked since its previous CRL.
public protocol RevocationObserver: Sendable {
    /// Called with the certificates newly revoked by the CRL just put in force.
    func certificatesRevoked(_ revoked: Set<RevocationKey>) async
}
