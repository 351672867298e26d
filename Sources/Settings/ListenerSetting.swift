import Foundation

/// One gateway listener as written in `gateway.listeners`: `name@host:port/auth[/profile]`.
///
/// Examples: `workstations@127.0.0.1:8443/required`, `gost@0.0.0.0:8445/required/gost`,
/// `pupils@[::1]:8444/none`. Port 0 asks the system for a free port (tests).
public struct ListenerSetting: Hashable, Sendable {
    /// Whether clients must present a certificate.
    public enum Authentication: String, Hashable, Sendable, CaseIterable {
        case required, optional, none
    }

    /// The TLS profile.
    public enum Profile: String, Hashable, Sendable, CaseIterable {
        case hardened, gost
    }

    /// A short name for logs: lower-case letters, digits, `-` and `_`.
    public var name: String
    /// The address to bind (an IPv6 address without its brackets).
    public var host: String
    /// The TCP port, 0 to 65535.
    public var port: Int
    public var authentication: Authentication
    public var profile: Profile

    public init(name: String, host: String, port: Int, authentication: Authentication, profile: Profile = .hardened) {
        self.name = name
        self.host = host
        self.port = port
        self.authentication = authentication
        self.profile = profile
    }

    /// The written form, `name@host:port/auth[/profile]`.
    public var written: String {
        let address = host.contains(":") ? "[\(host)]" : host
        return "\(name)@\(address):\(port)/\(authentication.rawValue)" + (profile == .hardened ? "" : "/\(profile.rawValue)")
    }

    /// Parses a comma-separated list; the error says which entry is wrong and why, in words
    /// (an entry is configuration, never a secret).
    static func parseList(_ text: String) -> Result<[ListenerSetting], ListenerListError> {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !entries.isEmpty, !(entries.count == 1 && entries[0].isEmpty) else {
            return .failure(ListenerListError("the list is empty"))
        }
        var listeners: [ListenerSetting] = []
        for (index, entry) in entries.enumerated() {
            switch parse(entry) {
            case .failure(let error):
                return .failure(ListenerListError("entry \(index + 1): \(error.reason)"))
            case .success(let listener):
                if listeners.contains(where: { $0.name == listener.name }) {
                    return .failure(ListenerListError("entry \(index + 1): the name '\(listener.name)' is used twice"))
                }
                if listeners.contains(where: { $0.host == listener.host && $0.port == listener.port && $0.port != 0 }) {
                    return .failure(ListenerListError("entry \(index + 1): the address \(listener.host):\(listener.port) is used twice"))
                }
                listeners.append(listener)
            }
        }
        return .success(listeners)
    }

    static func parse(_ entry: String) -> Result<ListenerSetting, ListenerListError> {
        guard let at = entry.firstIndex(of: "@") else { return .failure(ListenerListError("no '@' after the name")) }
        let name = String(entry[..<at])
        guard !name.isEmpty, name.count <= 32,
            name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" })
        else { return .failure(ListenerListError("the name must be 1 to 32 of a-z, 0-9, '-' and '_'")) }
        let parts = entry[entry.index(after: at)...].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else {
            return .failure(ListenerListError("expected host:port/auth or host:port/auth/profile"))
        }
        let address = parts[0]
        let host: String
        let portText: String
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]"), address[address.index(after: close)...].hasPrefix(":") else {
                return .failure(ListenerListError("an IPv6 address is written [address]:port"))
            }
            host = String(address[address.index(after: address.startIndex)..<close])
            portText = String(address[address.index(close, offsetBy: 2)...])
        } else {
            guard let colon = address.lastIndex(of: ":") else { return .failure(ListenerListError("no ':port' after the host")) }
            host = String(address[..<colon])
            portText = String(address[address.index(after: colon)...])
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0.isNewline || $0 == "@" }) else {
            return .failure(ListenerListError("the host is empty or malformed"))
        }
        guard let port = Int(portText), portText.allSatisfy(\.isASCII), (0...65_535).contains(port) else {
            return .failure(ListenerListError("the port must be a whole number from 0 to 65535"))
        }
        guard let authentication = Authentication(rawValue: parts[1]) else {
            return .failure(ListenerListError("unknown client authentication (required, optional or none)"))
        }
        var profile = Profile.hardened
        if parts.count == 3 {
            guard let chosen = Profile(rawValue: parts[2]) else {
                return .failure(ListenerListError("unknown profile (hardened or gost)"))
            }
            profile = chosen
        }
        return .success(ListenerSetting(name: name, host: host, port: port, authentication: authentication, profile: profile))
    }
}

/// Why a listener list was refused, in words.
struct ListenerListError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
