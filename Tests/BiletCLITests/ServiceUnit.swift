import Foundation
import ServeTestSupport

/// One of the files kept in config/systemd, read the way systemd reads a unit: `[Section]` headers and
/// `Key=value` lines, `#` and `;` comments ignored, a key may be given more than once.
struct ServiceUnit: Sendable {
    /// config/systemd in the repository.
    static let directory = BiletProcess.root.appendingPathComponent("config/systemd")
    /// Where the units expect the binary (`ExecStart=`).
    static let installedBinary = "/usr/local/bin/bilet"

    struct Entry: Sendable, Equatable {
        let section: String
        let key: String
        let value: String
    }

    /// The file name, e.g. `bilet-gateway@.service`.
    let name: String
    let text: String
    let entries: [Entry]

    init(name: String, text: String) {
        self.name = name
        self.text = text
        var section = ""
        var entries: [Entry] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            entries.append(
                Entry(
                    section: section, key: line[..<equals].trimmingCharacters(in: .whitespaces),
                    value: line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)))
        }
        self.entries = entries
    }

    /// Reads `name` from config/systemd.
    static func load(_ name: String) throws -> ServiceUnit {
        ServiceUnit(name: name, text: try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))
    }

    /// Every value given to `key` in `section`, in order.
    func values(_ key: String, in section: String = "Service") -> [String] {
        entries.filter { $0.section == section && $0.key == key }.map(\.value)
    }

    /// The value systemd uses for a single-valued `key`: the last one given.
    func value(_ key: String, in section: String = "Service") -> String? { values(key, in: section).last }

    /// The words of a list-valued `key` (`ReadWritePaths=`, `CapabilityBoundingSet=`,
    /// `RestrictAddressFamilies=`): every assignment adds to the list, an empty one empties it.
    func list(_ key: String) -> [String] {
        var words: [String] = []
        for value in values(key) {
            if value.isEmpty { words = [] } else { words += value.split(separator: " ").map(String.init) }
        }
        return words
    }

    /// The variables the unit sets with `Environment=` (unquoted `NAME=value` words).
    var environment: [String: String] {
        var variables: [String: String] = [:]
        for word in list("Environment") {
            guard let equals = word.firstIndex(of: "=") else { continue }
            variables[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        return variables
    }

    /// `ExecStart=`'s words: the binary, then its arguments.
    var execStart: [String] { (value("ExecStart") ?? "").split(separator: " ").map(String.init) }

    /// The unit with every mention of the installed binary replaced by `binary`: what `systemd-analyze
    /// verify` checks, since it wants the binary to exist.
    func pointing(at binary: String) -> String {
        text.replacingOccurrences(of: Self.installedBinary, with: binary)
    }

    /// A copy of the unit without the lines that set `key` (in any section).
    func removing(_ key: String) -> ServiceUnit {
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.trimmingCharacters(in: .whitespaces).hasPrefix(key + "=")
        }
        return ServiceUnit(name: name, text: kept.joined(separator: "\n"))
    }
}
