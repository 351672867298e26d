#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry of a subject alternative name extension that the platform writes or reads.
public enum SubjectAlternativeName: Sendable, Hashable, CustomStringConvertible {
    /// A URI, e.g. an identity `bilet://school/77-1234/ws/3`.
    case uri(String)
    /// A DNS name, e.g. `gateway.example.org`.
    case dnsName(String)
    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address, network byte order.
    case ipAddress([UInt8])

    /// Parses a textual IPv4 or IPv6 address (`192.0.2.7`, `2001:db8::7`); `nil` for anything else.
    public static func ipAddress(_ text: String) -> SubjectAlternativeName? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return .ipAddress(withUnsafeBytes(of: &v4) { Array($0) })
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return .ipAddress(withUnsafeBytes(of: &v6) { Array($0) })
        }
        return nil
    }

    /// The entry's value as text, without a kind prefix: the URI, the DNS name, or the address
    /// (`127.0.0.1`, `::1`).
    public var value: String {
        switch self {
        case .uri(let uri): uri
        case .dnsName(let name): name
        case .ipAddress(let bytes): Self.text(ofAddress: bytes)
        }
    }

    public var description: String {
        switch self {
        case .uri(let uri): "URI:\(uri)"
        case .dnsName(let name): "DNS:\(name)"
        case .ipAddress(let bytes): "IP:\(Self.text(ofAddress: bytes))"
        }
    }

    /// The textual form of a 4- or 16-byte address.
    static func text(ofAddress bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        return ok ? String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "invalid"
    }

    /// Whether the entry is well formed enough to be written: printable ASCII without spaces for
    /// URIs and DNS names (at most 255 bytes), 4 or 16 bytes for addresses.
    var isWritable: Bool {
        switch self {
        case .uri(let text), .dnsName(let text):
            let bytes = Array(text.utf8)
            return !bytes.isEmpty && bytes.count <= 255 && bytes.allSatisfy { $0 > 0x20 && $0 < 0x7f }
        case .ipAddress(let bytes):
            return bytes.count == 4 || bytes.count == 16
        }
    }
}
