/// A five-character PostgreSQL SQLSTATE code, such as `23505`, with its condition name when known.
///
/// Equality is by code. The constants name the conditions bilet handles; any other code the server
/// sends is kept as is.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The five-character code.
    public let rawValue: String

    /// Wraps a code as the server sent it.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The two-character class (`23` for integrity constraint violations).
    public var classCode: Substring { rawValue.prefix(2) }

    /// The condition name from the PostgreSQL manual (appendix A), when bilet knows it.
    public var condition: String? { Self.conditions[rawValue] }

    /// `23505 unique_violation`, or just the code when the condition is unknown.
    public var description: String {
        if let condition { return "\(rawValue) \(condition)" }
        return rawValue
    }

    public static let successfulCompletion = SQLState(rawValue: "00000")
    public static let connectionException = SQLState(rawValue: "08000")
    public static let connectionFailure = SQLState(rawValue: "08006")
    public static let featureNotSupported = SQLState(rawValue: "0A000")
    public static let stringDataRightTruncation = SQLState(rawValue: "22001")
    public static let numericValueOutOfRange = SQLState(rawValue: "22003")
    public static let invalidDatetimeFormat = SQLState(rawValue: "22007")
    public static let divisionByZero = SQLState(rawValue: "22012")
    public static let characterNotInRepertoire = SQLState(rawValue: "22021")
    public static let untranslatableCharacter = SQLState(rawValue: "22P05")
    public static let invalidTextRepresentation = SQLState(rawValue: "22P02")
    public static let integrityConstraintViolation = SQLState(rawValue: "23000")
    public static let notNullViolation = SQLState(rawValue: "23502")
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    public static let uniqueViolation = SQLState(rawValue: "23505")
    public static let checkViolation = SQLState(rawValue: "23514")
    public static let exclusionViolation = SQLState(rawValue: "23P01")
    public static let activeSQLTransaction = SQLState(rawValue: "25001")
    public static let readOnlySQLTransaction = SQLState(rawValue: "25006")
    public static let inFailedSQLTransaction = SQLState(rawValue: "25P02")
    public static let invalidSQLStatementName = SQLState(rawValue: "26000")
    public static let invalidAuthorizationSpecification = SQLState(rawValue: "28000")
    public static let invalidPassword = SQLState(rawValue: "28P01")
    public static let invalidCatalogName = SQLState(rawValue: "3D000")
    public static let serializationFailure = SQLState(rawValue: "40001")
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    public static let syntaxError = SQLState(rawValue: "42601")
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    public static let undefinedColumn = SQLState(rawValue: "42703")
    public static let undefinedFunction = SQLState(rawValue: "42883")
    public static let undefinedTable = SQLState(rawValue: "42P01")
    public static let invalidSchemaName = SQLState(rawValue: "3F000")
    public static let undefinedObject = SQLState(rawValue: "42704")
    public static let duplicateObject = SQLState(rawValue: "42710")
    public static let duplicateTable = SQLState(rawValue: "42P07")
    public static let duplicateDatabase = SQLState(rawValue: "42P04")
    public static let duplicateSchema = SQLState(rawValue: "42P06")
    public static let datatypeMismatch = SQLState(rawValue: "42804")
    public static let tooManyConnections = SQLState(rawValue: "53300")
    public static let lockNotAvailable = SQLState(rawValue: "55P03")
    public static let objectInUse = SQLState(rawValue: "55006")
    public static let queryCanceled = SQLState(rawValue: "57014")
    public static let adminShutdown = SQLState(rawValue: "57P01")
    public static let crashShutdown = SQLState(rawValue: "57P02")
    public static let cannotConnectNow = SQLState(rawValue: "57P03")
    public static let raiseException = SQLState(rawValue: "P0001")
    public static let internalError = SQLState(rawValue: "XX000")

    private static let conditions: [String: String] = [
        "00000": "successful_completion",
        "08000": "connection_exception",
        "08003": "connection_does_not_exist",
        "08006": "connection_failure",
        "08001": "sqlclient_unable_to_establish_sqlconnection",
        "08004": "sqlserver_rejected_establishment_of_sqlconnection",
        "08P01": "protocol_violation",
        "0A000": "feature_not_supported",
        "22000": "data_exception",
        "22001": "string_data_right_truncation",
        "22003": "numeric_value_out_of_range",
        "22007": "invalid_datetime_format",
        "22008": "datetime_field_overflow",
        "22012": "division_by_zero",
        "22021": "character_not_in_repertoire",
        "22023": "invalid_parameter_value",
        "22P02": "invalid_text_representation",
        "22P05": "untranslatable_character",
        "23000": "integrity_constraint_violation",
        "23502": "not_null_violation",
        "23503": "foreign_key_violation",
        "23505": "unique_violation",
        "23514": "check_violation",
        "23P01": "exclusion_violation",
        "25001": "active_sql_transaction",
        "25006": "read_only_sql_transaction",
        "25P02": "in_failed_sql_transaction",
        "26000": "invalid_sql_statement_name",
        "28000": "invalid_authorization_specification",
        "28P01": "invalid_password",
        "3D000": "invalid_catalog_name",
        "3F000": "invalid_schema_name",
        "40001": "serialization_failure",
        "40P01": "deadlock_detected",
        "42000": "syntax_error_or_access_rule_violation",
        "42501": "insufficient_privilege",
        "42601": "syntax_error",
        "42703": "undefined_column",
        "42704": "undefined_object",
        "42710": "duplicate_object",
        "42804": "datatype_mismatch",
        "42883": "undefined_function",
        "42P01": "undefined_table",
        "42P02": "undefined_parameter",
        "42P04": "duplicate_database",
        "42P06": "duplicate_schema",
        "42P07": "duplicate_table",
        "42P18": "indeterminate_datatype",
        "53000": "insufficient_resources",
        "53300": "too_many_connections",
        "54000": "program_limit_exceeded",
        "55006": "object_in_use",
        "55P03": "lock_not_available",
        "57014": "query_canceled",
        "57P01": "admin_shutdown",
        "57P02": "crash_shutdown",
        "57P03": "cannot_connect_now",
        "P0001": "raise_exception",
        "XX000": "internal_error",
    ]
}
