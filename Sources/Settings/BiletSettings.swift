/// The validated configuration of one bilet process.
///
/// Build it with ``SettingsLoader``; every value in it has passed validation.
public struct BiletSettings: Hashable, Sendable {
    public var database: DatabaseSettings
    public var log: LogSettings

    public init(database: DatabaseSettings = .init(), log: LogSettings = .init()) {
        self.database = database
        self.log = log
    }
}
