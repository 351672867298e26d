public import Logging

/// The two line formats bilet writes.
public enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line (``JSONLogHandler``).
    case json
    /// swift-log's human-readable stream handler.
    case text
}

/// Installs the process-wide log handler once, at start.
public enum LoggingSetup {
    /// Bootstraps swift-log. Call once, before the first logger is created.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                return JSONLogHandler(label: label, level: level)
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
