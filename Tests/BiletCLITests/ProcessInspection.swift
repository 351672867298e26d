import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the kernel shows of a running process (`/proc/<pid>`): its environment, the files it has
/// open, the files it has mapped, and its writable memory, searched for secrets. Run as root (or as
/// the process's user) so `/proc/<pid>/mem` can be read.
struct ProcessInspection {
    let pid: Int32

    /// The environment the process was started with, as `NAME=value` entries.
    func environment() throws -> [String] {
        try Self.readAll("/proc/\(pid)/environ").split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The targets of the process's open file descriptors.
    func openFiles() throws -> [String] {
        let directory = "/proc/\(pid)/fd"
        return try FileManager.default.contentsOfDirectory(atPath: directory).compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + $0)
        }
    }

    /// The files mapped into the process's memory.
    func mappedFiles() throws -> Set<String> {
        Set(try maps().compactMap(\.path))
    }

    /// The names of `needles` found anywhere in the process's writable memory (heap, stacks,
    /// anonymous mappings, data segments): where a secret it had read or received would still be.
    func writableMemoryContains(_ needles: [String: [UInt8]]) throws -> Set<String> {
        let descriptor = open("/proc/\(pid)/mem", O_RDONLY)
        guard descriptor >= 0 else { throw InspectionError(description: "cannot open /proc/\(pid)/mem") }
        defer { close(descriptor) }
        let longest = needles.values.map(\.count).max() ?? 1
        let chunk = 4 << 20
        var found: Set<String> = []
        var buffer = [UInt8](repeating: 0, count: chunk + longest)
        for region in try maps() where region.writable && region.path.map({ !$0.hasPrefix("[v") }) ?? true {
            var offset = region.start
            var carried = 0
            while offset < region.end {
                let wanted = Int(min(UInt64(chunk), region.end - offset))
                let read = buffer.withUnsafeMutableBytes { bytes in
                    pread(descriptor, bytes.baseAddress! + carried, wanted, off_t(Int64(bitPattern: offset)))
                }
                guard read > 0 else { break }
                let window = buffer[0..<(carried + read)]
                for (name, needle) in needles where !found.contains(name) && Self.contains(window, needle) {
                    found.insert(name)
                }
                carried = min(longest - 1, carried + read)
                let tail = Array(window.suffix(carried))
                buffer.replaceSubrange(0..<carried, with: tail)
                offset += UInt64(read)
            }
        }
        return found
    }

    private static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pattern in
                var cursor = hay.baseAddress!
                let end = hay.baseAddress! + (hay.count - pattern.count + 1)
                while cursor < end {
                    guard let hit = memchr(cursor, Int32(first), end - cursor) else { return false }
                    if memcmp(hit, pattern.baseAddress!, pattern.count) == 0 { return true }
                    cursor = UnsafeRawPointer(hit) + 1
                }
                return false
            }
        }
    }

    private struct Region {
        let start: UInt64
        let end: UInt64
        let writable: Bool
        let path: String?
    }

    private func maps() throws -> [Region] {
        let text = String(decoding: try Self.readAll("/proc/\(pid)/maps"), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5 else { return nil }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt64(bounds[0], radix: 16), let end = UInt64(bounds[1], radix: 16) else { return nil }
            let permissions = fields[1]
            let path = fields.count >= 6 ? fields[5...].joined(separator: " ") : nil
            return Region(start: start, end: end, writable: permissions.hasPrefix("rw"), path: path)
        }
    }

    /// The whole of a `/proc` file: its size reads as 0, so it is read until `read` returns 0 (Foundation's
    /// readers trust the size and return only the first page).
    static func readAll(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw InspectionError(description: "cannot open \(path)") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }

    struct InspectionError: Error, CustomStringConvertible {
        let description: String
    }
}
