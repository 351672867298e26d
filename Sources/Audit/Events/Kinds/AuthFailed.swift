/// `auth.failed`: An authentication was refused (a login, a certificate, a vault unseal).
public struct AuthFailed: TypedAuditEvent {
    public static let type = "auth.failed"

    /// The principal that acted.
    public var actor: String
    /// `method`.
    public var method: String
    /// `reason`.
    public var reason: String
    /// `attempted_account`.
    public var attemptedAccount: String?
    /// `certificate`.
    public var certificate: String?
    /// `count`.
    public var count: Int?
    /// `window_seconds`.
    public var windowSeconds: Int?
    /// `issuer`.
    public var issuer: String?

    public init(actor: String, method: String, reason: String, attemptedAccount: String? = nil, certificate: String? = nil, count: Int? = nil, windowSeconds: Int? = nil, issuer: String? = nil) {
        self.actor = actor
        self.method = method
        self.reason = reason
        self.attemptedAccount = attemptedAccount
        self.certificate = certificate
        self.count = count
        self.windowSeconds = windowSeconds
        self.issuer = issuer
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [:]
        fields["method"] = .string(method)
        fields["reason"] = .string(reason)
        if let attemptedAccount { fields["attempted_account"] = .string(attemptedAccount) }
        if let certificate { fields["certificate"] = .string(certificate) }
        if let count { fields["count"] = .integer(Int64(count)) }
        if let windowSeconds { fields["window_seconds"] = .integer(Int64(windowSeconds)) }
        if let issuer { fields["issuer"] = .string(issuer) }
        return AuditEvent(type: Self.type, actor: actor, fields: fields)
    }
}
