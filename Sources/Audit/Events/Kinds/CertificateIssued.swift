/// `certificate.issued`: the platform CA issued a certificate.
public struct CertificateIssued: TypedAuditEvent, Hashable {
    public static let type = "certificate.issued"

    /// Who asked (an administrator, or the renewing principal's URI).
    public var actor: String
    /// The new certificate's serial, `serial:<hex>`.
    public var serial: String
    /// The identity URI in its SAN (`bilet://school/77-1234/ws/3`).
    public var identity: String
    /// Its profile (`workstation`, `service`, `staff`).
    public var profile: String

    /// The record of one certificate.
    public init(actor: String, serial: String, identity: String, profile: String) {
        self.actor = actor
        self.serial = serial
        self.identity = identity
        self.profile = profile
    }

    public var event: AuditEvent {
        AuditEvent(
            type: Self.type, actor: actor,
            fields: ["serial": .string(serial), "identity": .string(identity), "profile": .string(profile)])
    }
}
