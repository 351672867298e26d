/// The validated configuration of one bilet process.
///
/// Build it with ``SettingsLoader``; every value in it has passed validation.
public struct BiletSettings: Hashable, Sendable {
    public var database: DatabaseSettings
    public var log: LogSettings
    public var audit: AuditSettings
    /// The directory of the role policies in force.
    public var policyDirectory: String = "policies"

    public init(database: DatabaseSettings = .init(), log: LogSettings = .init(), audit: AuditSettings = .init()) {
        self.database = database
        self.log = log
        self.audit = audit
    }
}
