import Foundation

/// Reads the process environment in one place.
enum Environment {
    static func value(of name: String) -> String? {
        ProcessInfo.processInfo.environment[name]
    }
}
