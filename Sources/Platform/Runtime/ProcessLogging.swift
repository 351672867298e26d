import Logging
import Observability
package import Settings

/// Installs the log handler the settings ask for; called once per process.
package enum ProcessLogging {
    package static func bootstrap(_ settings: LogSettings) {
        let level = Logger.Level(rawValue: settings.level.rawValue) ?? .info
        LoggingSetup.bootstrap(format: settings.format == .json ? .json : .text, level: level)
    }
}
