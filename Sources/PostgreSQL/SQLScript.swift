/// Multi-statement SQL without parameters, such as a migration file, sent with the simple query
/// protocol.
///
/// A script is built either from a source literal or by the migration loader (through the
/// `MigrationLoader` SPI, which only Storage imports), so runtime strings cannot reach the server as
/// SQL through it. It takes no parameters; everything it contains is reviewed SQL text.
public struct SQLScript: Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public typealias StringLiteralType = StaticString

    /// The script text.
    public let sql: String

    /// A script from a source literal.
    public init(stringLiteral value: StaticString) {
        self.sql = value.asString
    }

    /// A script read from a reviewed migration file shipped with bilet. Only the migration loader
    /// uses this; refuses text holding a NUL byte.
    @_spi(MigrationLoader)
    public init(migrationFileContents: String) throws(PostgresError) {
        guard !migrationFileContents.utf8.contains(0) else {
            throw PostgresError(code: .invalidParameter, reason: "migration script contains a NUL byte")
        }
        self.sql = migrationFileContents
    }

    /// Text this wrapper composed itself from validated parts (see
    /// ``PostgresConnection/setPassword(of:to:)``); never reachable from outside the target.
    init(composedInternally sql: String) {
        self.sql = sql
    }

    public var description: String { sql }
}
