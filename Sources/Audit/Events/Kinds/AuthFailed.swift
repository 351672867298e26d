/// `auth.failed`: an authentication attempt failed (one attempt; aggregated failures carry
/// ``count`` and ``windowSeconds``).
public struct AuthFailed: TypedAuditEvent {
    public static let type = "auth.failed"

    public var actor: String
    /// `password`, `certificate`, `session`, `pupil_password`, `pupil_session`, `activation` …
    public var method: String
    /// Why (`wrong_password`, `unknown_account`, …).
    public var reason: String
    /// Keyed hash of the login typed.
    public var attemptedAccount: String?
    /// `serial:<hex>` of the client certificate presented.
    public var certificate: String?
    /// How many failures this record stands for (aggregated), and over how long.
    public var count: Int?
    public var windowSeconds: Int?
    /// SHA-256 of a refused certificate's issuer name.
    public var issuer: String?

    public init(
        actor: String, method: String, reason: String, attemptedAccount: String? = nil, certificate: String? = nil,
        count: Int? = nil, windowSeconds: Int? = nil, issuer: String? = nil
    ) {
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
        var fields: [String: AuditValue] = ["method": .string(method), "reason": .string(reason)]
        if let attemptedAccount { fields["attempted_account"] = .string(attemptedAccount) }
        if let certificate { fields["certificate"] = .string(certificate) }
        if let count { fields["count"] = .integer(Int64(count)) }
        if let windowSeconds { fields["window_seconds"] = .integer(Int64(windowSeconds)) }
        if let issuer { fields["issuer"] = .string(issuer) }
        return AuditEvent(type: Self.type, actor: actor, fields: fields)
    }
}
