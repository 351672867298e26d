public import Logging
import Foundation

/// A swift-log handler that writes one JSON object per line, for log collectors.
///
/// Each line carries `time` (RFC 3339, UTC, milliseconds), `level`, `logger`, `message`,
/// `source` and the merged metadata. A line is written with a single `write(2)`, so lines
/// from concurrent tasks never interleave. The handler writes what it is given: callers log
/// tokens, field names and codes, never personal data values (ARCHITECTURE.md invariant 4).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let fileDescriptor: Int32

    /// - Parameters:
    ///   - label: the logger's label, written as `logger`.
    ///   - level: the minimum level written.
    ///   - fileDescriptor: where lines go; standard error by default.
    public init(label: String, level: Logger.Level = .info, fileDescriptor: Int32 = 2) {
        self.label = label
        self.logLevel = level
        self.fileDescriptor = fileDescriptor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = Self.render(
            time: Date(), level: event.level, label: label, message: "\(event.message)",
            source: event.source, metadata: merged)
        line.utf8CString.withUnsafeBufferPointer { buffer in
            var offset = 0
            let count = buffer.count - 1  // without the terminating NUL
            while offset < count {
                let written = Foundation.write(fileDescriptor, buffer.baseAddress! + offset, count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Renders one log line, newline-terminated, with keys in a fixed order.
    static func render(
        time: Date, level: Logger.Level, label: String, message: String, source: String,
        metadata: Logger.Metadata
    ) -> String {
        var line = "{\"time\":"
        JSONString.append(Self.timestamp(time), to: &line)
        line += ",\"level\":"
        JSONString.append(level.rawValue, to: &line)
        line += ",\"logger\":"
        JSONString.append(label, to: &line)
        line += ",\"message\":"
        JSONString.append(message, to: &line)
        line += ",\"source\":"
        JSONString.append(source, to: &line)
        for key in metadata.keys.sorted() where !["time", "level", "logger", "message", "source"].contains(key) {
            line += ","
            JSONString.append(key, to: &line)
            line += ":"
            append(metadata[key]!, to: &line)
        }
        line += "}\n"
        return line
    }

    private static func append(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let string): JSONString.append(string, to: &line)
        case .stringConvertible(let convertible): JSONString.append(convertible.description, to: &line)
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                append(element, to: &line)
            }
            line += "]"
        case .dictionary(let dictionary):
            line += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { line += "," }
                JSONString.append(key, to: &line)
                line += ":"
                append(dictionary[key]!, to: &line)
            }
            line += "}"
        }
    }

    /// RFC 3339 in UTC with milliseconds, for example `2026-11-29T06:28:11.042Z`.
    static func timestamp(_ date: Date) -> String {
        let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(totalMilliseconds / 1000)
        let milliseconds = Int(totalMilliseconds % 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(milliseconds), 3))Z"
    }
}
