/// How bilet writes its logs.
public struct LogSettings: Hashable, Sendable {
    /// The minimum level written.
    public enum Level: String, CaseIterable, Hashable, Sendable {
        case trace, debug, info, notice, warning, error, critical
    }

    /// The line format.
    public enum Format: String, CaseIterable, Hashable, Sendable {
        /// One JSON object per line, for collectors.
        case json
        /// Human-readable lines, for a terminal.
        case text
    }

    public var level: Level
    public var format: Format

    public init(level: Level = .info, format: Format = .json) {
        self.level = level
        self.format = format
    }
}
