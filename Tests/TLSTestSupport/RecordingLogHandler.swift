public import Logging
import Synchronization

/// A log handler that keeps every entry, so tests can check what was logged and what was not.
public struct RecordingLogHandler: LogHandler {
    /// One log entry.
    public struct Entry: Sendable {
        public let level: Logger.Level
        public let message: String
        public let metadata: [String: String]
    }

    /// The shared storage of entries.
    public final class Store: Sendable {
        private let entries = Mutex<[Entry]>([])
        public init() {}
        public var all: [Entry] { self.entries.withLock { $0 } }
        func append(_ entry: Entry) { self.entries.withLock { $0.append(entry) } }
        public func messages(containing text: String) -> [Entry] { self.all.filter { $0.message.contains(text) } }
    }

    public let store: Store
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(store: Store) { self.store = store }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        self.store.append(Entry(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }

    /// A logger that records into `store`.
    public static func logger(_ store: Store, label: String = "test") -> Logger {
        Logger(label: label) { _ in RecordingLogHandler(store: store) }
    }
}
