/// `auth.succeeded`: a principal authenticated and a session opened.
public struct AuthSucceeded: TypedAuditEvent {
    public static let type = "auth.succeeded"

    public var actor: String
    /// `password_and_certificate`, `pupil_password`, …
    public var method: String
    /// The session opened (`ses_…`).
    public var session: String?
    /// `serial:<hex>` of the client certificate used.
    public var certificate: String?

    public init(actor: String, method: String, session: String?, certificate: String?) {
        self.actor = actor
        self.method = method
        self.session = session
        self.certificate = certificate
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["method": .string(method)]
        if let session { fields["session"] = .string(session) }
        if let certificate { fields["certificate"] = .string(certificate) }
        return AuditEvent(type: Self.type, actor: actor, fields: fields)
    }
}
