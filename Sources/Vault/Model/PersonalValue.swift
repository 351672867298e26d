/// One value of personal data in memory.
///
/// Its `description`, `debugDescription` and reflection (`dump`, debuggers, string
/// interpolation in a log line) never show the value, only `PersonalValue(redacted)`, so a value
/// that strays into a log or an error message does not leak. Read it deliberately with
/// ``exposedText``.
public struct PersonalValue: Sendable, Hashable, ExpressibleByStringLiteral {
    private let text: String

    /// Wraps `text`.
    public init(_ text: String) {
        self.text = text
    }

    public init(stringLiteral value: String) {
        self.text = value
    }

    /// The value itself. Every use is a deliberate release of personal data: into a response to
    /// a caller the policy allowed, never into a log, a metric or an error.
    public var exposedText: String { text }

    /// The UTF-8 bytes, for sealing.
    var utf8: [UInt8] { Array(text.utf8) }
}

extension PersonalValue: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "PersonalValue(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
