import Foundation

/// The command line's arguments after the program name.
///
/// Swift's `CommandLine.arguments` is empty on Linux when a preloaded library changed the
/// environment before the Swift runtime read it (swiftlang/swift#76080): libfaketime does, and the
/// clock fault test (`ClockStepTests`) preloads it into `bilet serve` and its components. The
/// arguments are then read from `/proc/self/cmdline`, where the kernel keeps them.
enum ProcessArguments {
    static func current() -> [String] {
        if !CommandLine.arguments.isEmpty { return Array(CommandLine.arguments.dropFirst()) }
        guard let data = FileManager.default.contents(atPath: "/proc/self/cmdline") else { return [] }
        var parts = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if parts.last == "" { parts.removeLast() }
        return Array(parts.dropFirst())
    }
}
