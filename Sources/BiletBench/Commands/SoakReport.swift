import Foundation

/// What `bilet-bench soak` prints: per operation its rate, p50/p99 latency and errors; every
/// error by operation, status and problem code; per process its memory and open descriptors at
/// the start and end and whether they stayed flat; the machine's load. Markdown tables, ready for
/// docs/RELIABILITY.md.
struct SoakReport {
    /// The operations, in the order printed, and the option that sets their rate.
    static let operations = ["card", "import", "answer", "enrol", "cancel", "audit"]

    let result: [String: Any]
    let idle: SoakIdleHolders.Outcome
    let idleHeld: Int
    let idleFailed: Int
    let targets: [String: Double]
    let samples: [SoakSample]
    let warmup: Double
    let fdTolerance: Double
    let rssTolerancePercent: Double

    private var errors: [String: Int] { (result["errors"] as? [String: Int]) ?? [:] }

    /// Non-2xx answers and connection failures of the load, idle connections that failed to open
    /// or were dropped.
    var errorCount: Int { errors.values.reduce(0, +) + idleFailed + idle.dropped }

    /// The samples judged: those after the warm-up (all of them if fewer than three are).
    private var judged: [SoakSample] {
        let after = samples.filter { $0.at >= warmup }
        return after.count >= 3 ? after : samples
    }

    private var labels: [String] {
        Set(samples.flatMap { $0.usage.keys }).sorted { ($0 == "postgres" ? 1 : 0, $0) < ($1 == "postgres" ? 1 : 0, $1) }
    }

    /// The means of the first and the last third of the judged samples of `value`.
    private func thirds(_ value: (SoakSample) -> Double) -> (first: Double, last: Double) {
        let values = judged.map(value)
        let third = max(1, values.count / 3)
        func mean(_ part: ArraySlice<Double>) -> Double { part.isEmpty ? 0 : part.reduce(0, +) / Double(part.count) }
        return (mean(values.prefix(third)), mean(values.suffix(third)))
    }

    private func descriptorsFlat(_ label: String) -> Bool {
        let (first, last) = thirds { Double($0.usage[label]?.descriptors ?? 0) }
        return last - first <= fdTolerance
    }

    private func memoryFlat(_ label: String) -> Bool {
        let (first, last) = thirds { Double($0.usage[label]?.residentKiB ?? 0) }
        return last <= first * (1 + rssTolerancePercent / 100)
    }

    /// Whether no `bilet` process's open descriptors grew (PostgreSQL's are shown, not judged:
    /// its backends come and go with the pools).
    var descriptorsFlat: Bool { labels.filter { $0 != "postgres" }.allSatisfy(descriptorsFlat) }

    func render(command: String) -> String {
        let seconds = samples.last?.at ?? 0
        var lines = ["", "### Soak: `bilet-bench \(command)`", ""]
        let loads = samples.map(\.loadAverage)
        lines.append(
            String(
                format: "%.0f s of load after %.0f s warm-up, %d idle mTLS connections held (%d failed to open, %d dropped and reopened during the run, %d open at the end); "
                    + "load average (1 min) %.1f at the start, %.1f at the end, %.1f–%.1f over the run, on %d cores.",
                max(0, seconds - warmup), warmup, idleHeld, idleFailed, idle.dropped, idle.open, loads.first ?? 0, loads.last ?? 0,
                loads.min() ?? 0, loads.max() ?? 0, ProcessInfo.processInfo.activeProcessorCount))
        lines += ["", "| operation | target /s | measured /s | requests | p50 ms | p99 ms | max ms | errors |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        let operations = (result["operations"] as? [String: [String: Any]]) ?? [:]
        for name in Self.operations {
            let entry = operations[name] ?? [:]
            let failed = errors.filter { $0.key.hasPrefix(name + " ") }.values.reduce(0, +)
            func number(_ key: String, _ format: String) -> String { (entry[key] as? Double).map { String(format: format, $0) } ?? "–" }
            lines.append(
                "| \(Self.describe(name)) | \(String(format: "%g", targets[name] ?? 0)) | \(number("rate", "%.2f")) | \(entry["requests"] as? Int ?? 0) | "
                    + "\(number("p50_ms", "%.1f")) | \(number("p99_ms", "%.1f")) | \(number("max_ms", "%.1f")) | \(failed) |")
        }
        lines.append("")
        lines.append(errors.isEmpty ? "Errors: none." : "Errors: " + errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ") + ".")
        if let late = result["late"] as? [String: Int], !late.isEmpty {
            lines.append("Requests started over one interval late (the stream fell behind): " + late.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ".")
        }
        lines += [
            "", "| process | RSS start MiB | RSS end MiB | RSS first → last third MiB | memory | fds start | fds end | fds first → last third | fds |",
            "|---|---:|---:|---:|---|---:|---:|---:|---|",
        ]
        for label in labels {
            let first = samples.first?.usage[label] ?? SoakSample.Usage()
            let last = samples.last?.usage[label] ?? SoakSample.Usage()
            let rss = thirds { Double($0.usage[label]?.residentKiB ?? 0) / 1024 }
            let fds = thirds { Double($0.usage[label]?.descriptors ?? 0) }
            let judgedHere = label != "postgres"
            lines.append(
                "| \(label == "postgres" ? "postgres (all processes, summed)" : label) | \(String(format: "%.1f", Double(first.residentKiB) / 1024)) | "
                    + "\(String(format: "%.1f", Double(last.residentKiB) / 1024)) | \(String(format: "%.1f → %.1f", rss.first, rss.last)) | "
                    + "\(memoryFlat(label) ? "flat" : "grew") | \(first.descriptors) | \(last.descriptors) | \(String(format: "%.0f → %.0f", fds.first, fds.last)) | "
                    + "\(descriptorsFlat(label) ? "flat" : (judgedHere ? "**grew**" : "grew (not judged)")) |")
        }
        lines.append("")
        lines.append(
            String(
                format: "%d samples, %d after the warm-up; flat: the mean of the last third of those within %.0f descriptors and %.0f %% of memory of the first third's.",
                samples.count, judged.count, fdTolerance, rssTolerancePercent))
        lines.append("Verdict: \(errorCount) errors; descriptors \(descriptorsFlat ? "flat" : "GREW"); memory \(labels.filter { $0 != "postgres" }.allSatisfy(memoryFlat) ? "flat" : "grew").")
        return lines.joined(separator: "\n")
    }

    static func describe(_ operation: String) -> String {
        switch operation {
        case "card": "card read (school, `GET /v1/pupils/{token}`)"
        case "import": "CSV import (school, `POST /v1/pupils/import`)"
        case "answer": "answer saved (pupil, `PUT …/answers/{question}`)"
        case "enrol": "enrolment (navigator, `POST …/enrolments`)"
        case "cancel": "cancellation (navigator, `DELETE …/enrolments/{pupil}`)"
        case "audit": "audit query (officer, `GET /v1/audit/entries`)"
        default: operation
        }
    }
}
