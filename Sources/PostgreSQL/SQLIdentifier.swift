/// A name of a database object (a database, schema, role or table) to splice into SQL text where
/// a bound parameter is not allowed, such as `CREATE DATABASE \(identifier: name)`.
///
/// It is always double-quoted, with embedded double quotes doubled (the rules of
/// `PQescapeIdentifier`), so it can never end the identifier early. Names are validated first:
/// empty names, names longer than 63 bytes (PostgreSQL's `NAMEDATALEN - 1`, beyond which the server
/// silently truncates) and names holding NUL or other control characters are refused.
public struct SQLIdentifier: Sendable, Hashable, CustomStringConvertible {
    /// The name as given (unquoted).
    public let name: String

    /// Validates `name`; throws ``PostgresError/Code/invalidIdentifier`` when it is empty, longer than
    /// 63 bytes of UTF-8 or contains control characters.
    public init(_ name: String) throws(PostgresError) {
        guard !name.isEmpty else {
            throw PostgresError(code: .invalidIdentifier, reason: "identifier is empty")
        }
        guard name.utf8.count <= 63 else {
            throw PostgresError(code: .invalidIdentifier, reason: "identifier is longer than 63 bytes")
        }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw PostgresError(code: .invalidIdentifier, reason: "identifier contains a control character")
        }
        self.name = name
    }

    /// The quoted form that goes into SQL text: `"na""me"`.
    public var quoted: String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }

    public var description: String { quoted }
}
