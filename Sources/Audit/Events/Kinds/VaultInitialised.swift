/// `vault.initialised`: The vault's key hierarchy was created.
public struct VaultInitialised: TypedAuditEvent {
    public static let type = "vault.initialised"

    /// The principal that acted.
    public var actor: String
    /// `method`.
    public var method: String
    /// `kek_version`.
    public var kekVersion: Int

    public init(actor: String, method: String, kekVersion: Int) {
        self.actor = actor
        self.method = method
        self.kekVersion = kekVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [:]
        fields["method"] = .string(method)
        fields["kek_version"] = .integer(Int64(kekVersion))
        return AuditEvent(type: Self.type, actor: actor, fields: fields)
    }
}
