/// `vault.sealed`: The vault's keys were dropped from memory.
public struct VaultSealed: TypedAuditEvent {
    public static let type = "vault.sealed"

    /// The principal that acted.
    public var actor: String
    /// `previous_state`.
    public var previousState: String

    public init(actor: String, previousState: String) {
        self.actor = actor
        self.previousState = previousState
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [:]
        fields["previous_state"] = .string(previousState)
        return AuditEvent(type: Self.type, actor: actor, fields: fields)
    }
}
