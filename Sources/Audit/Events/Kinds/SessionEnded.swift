/// `session.ended`: a session ended before its expiry (logout, certificate revoked, account
/// disabled, expiry noticed).
public struct SessionEnded: TypedAuditEvent {
    public static let type = "session.ended"

    public var actor: String
    /// `ses_…`.
    public var session: String
    /// `logout`, `certificate-revoked`, `account-disabled`, …
    public var reason: String
    /// `serial:<hex>` of the certificate the session was bound to.
    public var certificate: String?

    public init(actor: String, session: String, reason: String, certificate: String?) {
        self.actor = actor
        self.session = session
        self.reason = reason
        self.certificate = certificate
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["session": .string(session), "reason": .string(reason)]
        if let certificate { fields["certificate"] = .string(certificate) }
        return AuditEvent(type: Self.type, actor: actor, fields: fields)
    }
}
