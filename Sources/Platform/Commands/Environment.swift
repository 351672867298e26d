import Foundation

/// Reads the process environment in one place.
package enum Environment {
    package static func value(of name: String) -> String? {
        ProcessInfo.processInfo.environment[name]
    }
}
