/// One SQL statement whose text comes only from source-code literals and whose interpolated values
/// become bound parameters.
///
/// ```swift
/// let statement: SQLStatement = "SELECT id FROM vault.subjects WHERE id = \(subjectID)"
/// // sql: "SELECT id FROM vault.subjects WHERE id = $1", one uuid parameter
/// ```
///
/// The literal segments are `StaticString`, so SQL text cannot be assembled from runtime strings:
/// a `String` interpolated into the literal is always a parameter (`$n`), never SQL. The only way
/// to put a runtime name into the text is an explicit, validated and quoted
/// `\(identifier: SQLIdentifier)`. A statement is sent with the extended query protocol, so it
/// is exactly one statement; multi-statement text is an ``SQLScript``.
///
/// A value that cannot be encoded (text holding a NUL byte) does not stop the literal from being
/// built; the statement carries the error and every call that would send it throws it instead,
/// without sending anything.
public struct SQLStatement: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public typealias StringLiteralType = StaticString

    /// The SQL text, with `$1`, `$2`… for the parameters. Never contains parameter values.
    public let sql: String
    /// The bound parameters, in order.
    let parameters: [SQLParameter]
    /// The first parameter that could not be encoded.
    let parameterError: PostgresError?
    /// Whether the text is fixed by source literals alone (no identifiers), so it can be prepared
    /// once and cached per connection.
    let isCacheable: Bool

    /// A statement without parameters.
    public init(stringLiteral value: StaticString) {
        self.sql = value.asString
        self.parameters = []
        self.parameterError = nil
        self.isCacheable = true
    }

    /// A statement built from an interpolated literal.
    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.parameters = stringInterpolation.parameters
        self.parameterError = stringInterpolation.parameterError
        self.isCacheable = !stringInterpolation.containsIdentifiers
    }

    /// The number of bound parameters.
    public var parameterCount: Int { parameters.count }

    /// The SQL text only (with placeholders), never parameter values.
    public var description: String { sql }

    /// Builds an ``SQLStatement`` from literal segments, parameters and identifiers.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        public typealias StringLiteralType = StaticString

        var sql: String
        var parameters: [SQLParameter] = []
        var parameterError: PostgresError?
        var containsIdentifiers = false

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        /// Appends SQL text from the source literal.
        public mutating func appendLiteral(_ literal: StaticString) {
            sql += literal.asString
        }

        /// Binds `value` as the next parameter and appends its placeholder (`$n`).
        public mutating func appendInterpolation<Value: SQLEncodable>(_ value: Value) {
            bind(value)
        }

        /// Binds an optional value as the next parameter; `nil` is a NULL of `Value`'s type.
        public mutating func appendInterpolation<Value: SQLEncodable>(_ value: Value?) {
            bind(value)
        }

        private mutating func bind<Value: SQLEncodable>(_ value: Value) {
            let index = parameters.count + 1
            do {
                parameters.append(try value.sqlParameter())
            } catch {
                if parameterError == nil {
                    parameterError = PostgresError(
                        code: error.code, parameterIndex: index, reason: error.reason)
                }
                parameters.append(.null(Value.sqlType))
            }
            sql += "$\(index)"
        }

        /// Appends a validated identifier, double-quoted.
        public mutating func appendInterpolation(identifier: SQLIdentifier) {
            containsIdentifiers = true
            sql += identifier.quoted
        }
    }
}

extension StaticString {
    var asString: String {
        withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
    }
}
