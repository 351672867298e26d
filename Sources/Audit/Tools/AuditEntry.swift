public import Foundation

/// One audit record as the compliance tools show and export it: the stored event, its leaf
/// index when integrated, and its fields unless retention pruned them.
public struct AuditEntry: Sendable, Hashable, Codable {
    /// The leaf index, nil while the sequencer has not integrated the event yet.
    public let leafIndex: UInt64?
    /// `audit.events.id`.
    public let eventID: Int64
    /// When it was recorded (microsecond precision).
    public let recordedAt: Date
    /// The event type.
    public let type: String
    /// The actor identifier.
    public let actor: String?
    /// The subject token.
    public let subject: String?
    /// The decision.
    public let decision: String?
    /// The purpose code.
    public let purpose: String?
    /// The catalogue version.
    public let catalogueVersion: Int?
    /// The database role that wrote the record (set by the database); nil for records written
    /// before it was recorded.
    public let writtenBy: String?
    /// The fields; nil once pruned.
    public let fields: [String: AuditValue]?
    /// Whether retention pruned the fields.
    public let pruned: Bool

    enum CodingKeys: String, CodingKey {
        case leafIndex = "leaf_index", eventID = "event_id", recordedAt = "recorded_at", type, actor, subject, decision, purpose
        case catalogueVersion = "catalogue_version", fields, pruned, writtenBy = "written_by"
    }

    /// The entry for `record`, at `leafIndex` once integrated.
    public init(leafIndex: UInt64?, record: AuditRecord) {
        self.leafIndex = leafIndex
        self.eventID = record.id
        self.recordedAt = Date(timeIntervalSince1970: Double(record.recordedAtMicroseconds) / 1_000_000)
        self.type = record.kind
        self.actor = record.actor
        self.subject = record.subject
        self.decision = record.decision
        self.purpose = record.purpose
        self.catalogueVersion = record.catalogueVersion
        self.writtenBy = record.writtenBy
        self.fields = record.payload.flatMap { try? JSONDecoder().decode([String: AuditValue].self, from: Data($0.utf8)) }
        self.pruned = record.prunedAtMicroseconds != nil
    }

    /// The time as RFC 3339 with microseconds, UTC (`2026-11-29T07:10:28.655123Z`).
    public var timestamp: String { Self.rfc3339(recordedAt) }

    static func rfc3339(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros.quotientAndRemainder(dividingBy: 1_000_000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(seconds.quotient)))
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2)).\(pad(Int(seconds.remainder), 6))Z"
    }

    /// One JSON Lines record (compact, sorted keys, RFC 3339 time).
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Self.rfc3339(date))
        }
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// One RFC 5424 syslog line for a SIEM: facility 13 (log audit), severity informational for
    /// permits, warning for denials, error for errors; MSGID the event type; the attributes as
    /// structured data `[bilet@32473 …]` (32473 is the documentation enterprise number of
    /// RFC 5612; replace it with the operator's own); the fields as the JSON message.
    public func syslogLine(hostname: String, appName: String = "bilet-audit") -> String {
        let severity = switch decision {
        case "deny": 4
        case "error": 3
        default: 6
        }
        var parameters: [(String, String)] = [("event", String(eventID))]
        if let leafIndex { parameters.append(("leaf", String(leafIndex))) }
        for (name, value) in [("actor", actor), ("subject", subject), ("decision", decision), ("purpose", purpose), ("written_by", writtenBy)] {
            if let value { parameters.append((name, value)) }
        }
        if pruned { parameters.append(("pruned", "true")) }
        let structured = "[bilet@32473 " + parameters.map { "\($0.0)=\"\(Self.escapeParameter($0.1))\"" }.joined(separator: " ") + "]"
        let header = "<\(13 * 8 + severity)>1 \(timestamp) \(Self.headerField(hostname, 255)) \(Self.headerField(appName, 48)) - \(Self.headerField(type, 32))"
        // MSG is optional (RFC 5424 §6): a pruned or empty payload leaves it out rather than
        // writing a placeholder a SIEM would read as the message.
        guard let fields else { return "\(header) \(structured)" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return "\(header) \(structured) \(Self.escapeControls(String(decoding: try! encoder.encode(fields), as: UTF8.self)))"
    }

    /// RFC 5424 §6.3.3: `"`, `\` and `]` are escaped with a backslash. Control characters (CR, LF
    /// and every other C0 or C1 control, DEL, and the Unicode line and paragraph separators) are
    /// written as `\uXXXX`, so a stored value can never end the line or start a forged one.
    static func escapeParameter(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" || scalar == "]" {
                result.append("\\")
                result.unicodeScalars.append(scalar)
            } else if isControl(scalar) {
                result.append(escaped(scalar))
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The JSON message with any control character JSONEncoder leaves as it is (DEL, C1 controls,
    /// U+2028, U+2029) written as a `\uXXXX` escape; they can only occur inside JSON strings, where
    /// the escape means the same character. JSONEncoder already escapes C0 controls (CR, LF …).
    static func escapeControls(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: isControl) else { return json }
        var result = ""
        for scalar in json.unicodeScalars {
            if isControl(scalar) { result.append(escaped(scalar)) } else { result.unicodeScalars.append(scalar) }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Header fields are printable US-ASCII without spaces, at most `limit` long; `-` when empty.
    static func headerField(_ value: String, _ limit: Int) -> String {
        let printable = String(value.unicodeScalars.filter { $0.value >= 33 && $0.value <= 126 }.map(Character.init).prefix(limit))
        return printable.isEmpty ? "-" : printable
    }
}
