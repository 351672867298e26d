import CArgon2

/// A refusal or failure of an Argon2 operation.
///
/// Match on ``code``; its raw values are stable strings. ``parameter`` names the offending
/// parameter for ``Code/invalidParameter``. ``libraryErrorCode`` is libargon2's error code when
/// the library reported the failure. Nothing here carries a password, salt, hash or secret.
public struct Argon2Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as a value a caller can match on. Raw values never change.
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// A parameter is out of the accepted range; see ``Argon2Error/parameter``.
        case invalidParameter = "argon2.invalid_parameter"
        /// The encoded hash is of another algorithm or version (argon2i, argon2d, v=16, bcrypt …).
        case unsupportedAlgorithm = "argon2.unsupported_algorithm"
        /// The encoded hash is not of the form `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
        case malformedEncoding = "argon2.malformed_encoding"
        /// The system random generator could not produce a salt.
        case randomGenerationFailed = "argon2.random_generation_failed"
        /// The memory for the hash could not be allocated.
        case memoryAllocationFailed = "argon2.memory_allocation_failed"
        /// libargon2 failed for another reason (see ``Argon2Error/libraryErrorCode``).
        case hashingFailed = "argon2.hashing_failed"
    }

    /// The parameter a ``Code/invalidParameter`` refusal is about.
    public enum Parameter: String, Hashable, Sendable, CaseIterable {
        case iterations
        case memoryKiB
        case parallelism
        case saltLength
        case hashLength
        case outputByteCount
        case password
        case secret
        case associatedData
    }

    /// The stable reason.
    public let code: Code
    /// The offending parameter, for ``Code/invalidParameter``.
    public let parameter: Parameter?
    /// libargon2's (negative) error code, when it reported the failure.
    public let libraryErrorCode: Int32?

    /// Creates an error.
    public init(_ code: Code, parameter: Parameter? = nil, libraryErrorCode: Int32? = nil) {
        self.code = code
        self.parameter = parameter
        self.libraryErrorCode = libraryErrorCode
    }

    /// A refusal of `parameter`.
    public static func invalid(_ parameter: Parameter) -> Argon2Error {
        Argon2Error(.invalidParameter, parameter: parameter)
    }

    public var description: String {
        var text = code.rawValue
        if let parameter {
            text += " (\(parameter.rawValue))"
        }
        if let libraryErrorCode, let message = argon2_error_message(libraryErrorCode) {
            // libargon2's messages are constant strings such as "Memory allocation error".
            text += " (libargon2: \(String(cString: message)))"
        }
        return text
    }
}
