/// The validated configuration of one bilet process.
///
/// Build it with ``SettingsLoader``; every value in it has passed validation.
public struct BiletSettings: Hashable, Sendable {
    public var database: DatabaseSettings
    public var log: LogSettings
    public var audit: AuditSettings
    /// The TLS gateway; no listeners means no gateway.
    public var gateway: GatewaySettings = .init()
    /// The vault's control socket.
    public var vault: VaultSettings = .init()
    /// The certificate authority held for renewals, if any.
    public var ca: CASettings = .init()
    /// The directory of the role policies in force.
    public var policyDirectory: String = "policies"

    public init(database: DatabaseSettings = .init(), log: LogSettings = .init(), audit: AuditSettings = .init()) {
        self.database = database
        self.log = log
        self.audit = audit
    }
}
