public import Foundation

/// A stored version of a test, as methodologists list them.
public struct TestVersion: Sendable, Hashable {
    /// Whether a version may still change.
    public enum State: String, Sendable, Hashable, Codable {
        /// Uploaded and validated; may be replaced by another upload of the same code and version.
        case draft
        /// Immutable (the database refuses every change); may be assigned.
        case published
    }

    public var code: String
    public var version: Int
    public var title: String
    public var state: State
    public var timeLimitSeconds: Int
    public var maxAttempts: Int
    public var uploadedAt: Date
    public var publishedAt: Date?

    /// Creates a summary.
    public init(
        code: String, version: Int, title: String, state: State, timeLimitSeconds: Int, maxAttempts: Int, uploadedAt: Date,
        publishedAt: Date?
    ) {
        self.code = code
        self.version = version
        self.title = title
        self.state = state
        self.timeLimitSeconds = timeLimitSeconds
        self.maxAttempts = maxAttempts
        self.uploadedAt = uploadedAt
        self.publishedAt = publishedAt
    }
}
