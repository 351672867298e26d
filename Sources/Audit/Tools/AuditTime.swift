public import Foundation

/// Times as the compliance tools accept them, on the command line and in the HTTP API:
/// RFC 3339 / ISO 8601 (`2026-11-29T07:00:00Z`, fractional seconds allowed) or a date
/// (`2026-11-29`, midnight UTC).
public enum AuditTime {
    /// The time `text` names; nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text)
    }

    /// RFC 3339 with microseconds, UTC (`2026-11-29T07:10:28.655123Z`).
    public static func format(_ date: Date) -> String { AuditEntry.rfc3339(date) }
}
