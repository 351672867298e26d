/// Every failure of the recommendations module, with a stable ``Code``.
///
/// ``reason`` is fixed text written by bilet: never a recommendation's text, a title or a pupil's
/// token.
public struct RecommendationsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Raw values never change.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A field is missing, too long or malformed (its name is in the reason).
        case invalidArgument = "recommendations.invalid_argument"
        /// No recommendation of this pupil has this id.
        case notFound = "recommendations.not_found"
        /// The caller's record of the change (the audit record) could not be written: nothing changed.
        case recordFailed = "recommendations.record_failed"
        /// The database failed or cannot be reached.
        case storage = "recommendations.storage"
    }

    /// The stable code.
    public let code: Code
    /// A fixed explanation (no personal data, no secrets).
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
