/// Why a configuration was refused at start.
///
/// Every case names the offending key (as written in the configuration file, with its
/// environment variable spelling in the message) and the form that was expected. The
/// rejected value itself is never repeated: it may be a password or a connection string.
public struct SettingsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable code a caller can match on.
    public enum Code: String, Hashable, Sendable {
        /// A key has a value of the wrong type or outside its allowed range.
        case invalidValue = "invalid_value"
        /// A key is absent although another key that is set needs it.
        case missingValue = "missing_value"
        /// A key is not one bilet knows: most often a typo.
        case unknownKey = "unknown_key"
        /// The configuration file could not be read.
        case unreadableFile = "unreadable_file"
        /// The configuration file is not a JSON object.
        case malformedFile = "malformed_file"
    }

    /// What went wrong.
    public let code: Code
    /// The dotted key, for example `database.pool_size`; empty for file-level errors.
    public let key: String
    /// The expected form, in words.
    public let expected: String

    init(_ code: Code, key: String, expected: String) {
        self.code = code
        self.key = key
        self.expected = expected
    }

    public var description: String {
        switch code {
        case .invalidValue:
            "configuration key '\(key)' (environment \(SettingKey.environmentName(of: key))) is invalid: expected \(expected)"
        case .missingValue:
            "configuration key '\(key)' (environment \(SettingKey.environmentName(of: key))) is missing: expected \(expected)"
        case .unknownKey:
            "configuration key '\(key)' is not known to bilet: \(expected)"
        case .unreadableFile:
            "the configuration file cannot be read: \(expected)"
        case .malformedFile:
            "the configuration file is malformed: \(expected)"
        }
    }
}
