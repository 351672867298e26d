/// Why `bilet dev seed` stopped: a stable code and a message that names the step, never a
/// pupil's data (the seed's own synthetic values are not put in messages either).
public struct DevSeedError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable, matchable reasons.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The configuration is not the development one; the seed refuses to run.
        case notDevelopment = "not-development"
        /// The platform holds the seed's region already.
        case alreadySeeded = "already-seeded"
        /// A certificate or key file could not be read.
        case fileUnreadable = "file-unreadable"
        /// The connection to the gateway failed.
        case transport
        /// The gateway answered a step with an unexpected status.
        case refused
        /// An operator step (an account, a certificate) failed.
        case operatorStep = "operator-step"
        /// The options make no seed (a count out of range).
        case invalidScale = "invalid-scale"
    }

    /// The reason.
    public let code: Code
    /// What failed.
    public let message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "dev seed \(code.rawValue): \(message)" }
}
