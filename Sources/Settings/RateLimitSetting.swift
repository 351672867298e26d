/// A rate limit setting: the default, a rate, or off.
public enum RateLimitSetting: Hashable, Sendable {
    /// Not configured: the built-in default.
    case standard
    /// Configured to this rate.
    case rate(RequestRate)
    /// Configured `off`.
    case off
}
