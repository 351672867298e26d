/// `certificate.revoked`: a certificate was revoked.
public struct CertificateRevoked: TypedAuditEvent, Hashable {
    public static let type = "certificate.revoked"

    /// Who revoked it (an administrator, or `system:ca` superseding a renewed certificate).
    public var actor: String
    /// The certificate's serial, `serial:<hex>`.
    public var serial: String
    /// The identity URI in its SAN.
    public var identity: String
    /// Its profile.
    public var profile: String
    /// The revocation reason code (`key_compromise`, `superseded`, …).
    public var reason: String

    /// The record of one revocation.
    public init(actor: String, serial: String, identity: String, profile: String, reason: String) {
        self.actor = actor
        self.serial = serial
        self.identity = identity
        self.profile = profile
        self.reason = reason
    }

    public var event: AuditEvent {
        AuditEvent(
            type: Self.type, actor: actor,
            fields: [
                "serial": .string(serial), "identity": .string(identity), "profile": .string(profile), "reason": .string(reason),
            ])
    }
}
