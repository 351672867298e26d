import Foundation

/// One reading of the serve's processes during a soak: the resident set size and the open
/// descriptors of each `bilet` process (by its component: `gateway`, `vault`, …), the same summed
/// over PostgreSQL's processes, and the machine's load average.
struct SoakSample {
    /// One process (or, for `postgres`, all of its processes summed).
    struct Usage {
        var residentKiB = 0
        var descriptors = 0
    }

    /// Seconds since the load started.
    let at: Double
    /// By process label.
    let usage: [String: Usage]
    /// The one-minute load average.
    let loadAverage: Double

    /// Reads /proc for the process trees under `roots` (``ProcessCPU/tree(of:)`` names them).
    static func take(roots: [Int32], at: Double) -> SoakSample {
        var usage: [String: Usage] = [:]
        for (pid, entry) in ProcessCPU.tree(of: roots) {
            var current = usage[entry.label, default: Usage()]
            current.residentKiB += Self.residentKiB(of: "\(pid)")
            current.descriptors += (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
            usage[entry.label] = current
        }
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.flatMap { Double($0) } ?? 0
        return SoakSample(at: at, usage: usage, loadAverage: load)
    }

    /// `VmRSS` of `/proc/<process>/status` (a pid, or `self`), in KiB.
    static func residentKiB(of process: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
}
