/// Why a component's database credentials cannot be used. Never carries the secret.
public struct CredentialsError: Error, Sendable, CustomStringConvertible {
    /// Stable codes.
    public enum Code: String, Sendable {
        /// No password file for the role: `bilet db migrate` has not provisioned it.
        case missing
        /// The file is readable or writable by group or others.
        case exposed
        /// The file cannot be read, written, or is empty.
        case unreadable
        /// The server refused to set the role's password.
        case database
    }

    public let code: Code
    /// The role concerned.
    public let role: String
    public let reason: String

    public init(_ code: Code, role: String, _ reason: String) {
        self.code = code
        self.role = role
        self.reason = reason
    }

    public var description: String { "credentials-\(code.rawValue): \(reason)" }
}
