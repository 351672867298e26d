/// The kinds of value an audit event may carry. There is deliberately no free-text kind: every
/// value is a token, an identifier, a code, a list of field names, a keyed hash, a digest or a
/// number, so personal data has no place to go (invariant 4).
public enum AuditFieldKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// An opaque token standing for a data subject or record: a lowercase prefix, `_`, then
    /// 16–128 characters of `[A-Za-z0-9_-]` (`sub_9fQ2…`). Never a name.
    case token
    /// A scheme-prefixed identifier of a principal, certificate, key or device:
    /// `scheme:rest` with no spaces (`bilet://school/77-1234/ws/3`, `user:usr_…`, `serial:0a1b…`).
    case identifier
    /// A lowercase code from a closed vocabulary (`password`, `wrong_password`, `career_guidance`).
    case code
    /// A list of field names (codes), such as the fields requested or returned.
    case fieldNames
    /// An ``AuditKeyedHash`` of a sensitive value (a searched SNILS, an address).
    case keyedHash
    /// A SHA-256 digest in hex of non-personal data (a policy file, a configuration).
    case digest
    /// A non-negative integer (a count, a key version).
    case count

    /// Whether `value` is of this kind and well formed, as the catalogue checks it on append;
    /// other components check values with it before they reach the log.
    public func accepts(_ value: AuditValue) -> Bool {
        switch (self, value) {
        case (.token, .string(let text)): AuditPatterns.isToken(text)
        case (.identifier, .string(let text)): AuditPatterns.isIdentifier(text)
        case (.code, .string(let text)): AuditPatterns.isCode(text)
        case (.fieldNames, .list(let names)): names.count <= 128 && names.allSatisfy(AuditPatterns.isCode)
        case (.keyedHash, .string(let text)): AuditKeyedHash(validating: text) != nil
        case (.digest, .string(let text)): AuditPatterns.isHexDigest(text)
        case (.count, .integer(let number)): number >= 0
        default: false
        }
    }
}

/// A value of an audit event field.
public enum AuditValue: Sendable, Hashable, Codable {
    /// A token, identifier, code, keyed hash or digest.
    case string(String)
    /// A list of field names.
    case list([String])
    /// A count or version.
    case integer(Int64)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else if let list = try? container.decode([String].self) {
            self = .list(list)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .list(let list): try container.encode(list)
        case .integer(let number): try container.encode(number)
        }
    }
}

/// The patterns the field kinds accept, written out by hand (no regular expressions), ASCII only.
/// Public so that a form can refuse a filter the audit query would refuse, with its own message.
public enum AuditPatterns {
    /// An event type or another code: lower-case letters and digits, `_`, `.`, `-`; 1 to 64 bytes.
    public static func isCode(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first, isLowerAlnum(first) else { return false }
        return bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// A token: a lower-case prefix, `_`, 16 to 128 letters, digits, `_` or `-` (`sub_…`).
    public static func isToken(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let underscore = bytes.firstIndex(of: UInt8(ascii: "_")) else { return false }
        let prefix = bytes[..<underscore]
        let body = bytes[(underscore + 1)...]
        return (2...12).contains(prefix.count) && prefix.allSatisfy { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
            && (16...128).contains(body.count)
            && body.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// An actor identifier: a scheme, `:`, and letters, digits or `._:/@+=~-` (`user:usr_…`).
    public static func isIdentifier(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (3...256).contains(bytes.count), let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return false }
        let scheme = bytes[..<colon]
        let rest = bytes[(colon + 1)...]
        guard let first = scheme.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z"),
              scheme.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }),
              !rest.isEmpty
        else { return false }
        let allowed = Set("._:/@+=~-".utf8)
        return rest.allSatisfy { isAlnum($0) || allowed.contains($0) }
    }

    static func isHexDigest(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 64 && bytes.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
    }

    static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    static func isAlnum(_ byte: UInt8) -> Bool {
        isLowerAlnum(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
