/// `certificate.listed`: a security administrator read the CA's certificate inventory (what was
/// asked and how many certificates were shown; never the certificates themselves).
public struct CertificatesListed: TypedAuditEvent, Hashable {
    public static let type = "certificate.listed"

    /// Who read it (`user:usr_…`).
    public var actor: String
    /// How many certificates the answer listed.
    public var count: Int
    /// The expiry window asked, in days, when one was.
    public var expiringWithinDays: Int?
    /// The state asked (`active`, `expired`, `revoked`), when one was.
    public var state: String?

    public init(actor: String, count: Int, expiringWithinDays: Int? = nil, state: String? = nil) {
        self.actor = actor
        self.count = count
        self.expiringWithinDays = expiringWithinDays
        self.state = state
    }

    public var event: AuditEvent {
        var values: [String: AuditValue] = ["count": .integer(Int64(count))]
        if let expiringWithinDays { values["expiring_within_days"] = .integer(Int64(expiringWithinDays)) }
        if let state { values["state"] = .string(state) }
        return AuditEvent(type: Self.type, actor: actor, purpose: "certificate_management", fields: values)
    }
}
