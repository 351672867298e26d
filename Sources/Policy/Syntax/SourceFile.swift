/// The text of one policy, schema or test file, with the path diagnostics will name.
public struct SourceFile: Hashable, Sendable {
    /// The path relative to the policy directory, e.g. `school.policy` or `tests/mentor.test`.
    public var path: String
    public var text: String

    /// Creates a source file; `path` is what diagnostics will name.
    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}
