/// A token-bucket rate written `requests/burst` (`10/30`: ten requests a second, thirty at once),
/// or `off`.
public struct RequestRate: Hashable, Sendable {
    /// Requests a second, 1 to 100,000.
    public let perSecond: Int
    /// Requests at once, 1 to 1,000,000.
    public let burst: Int

    public init(perSecond: Int, burst: Int) {
        self.perSecond = perSecond
        self.burst = burst
    }

    /// Parses `requests/burst`; `nil` when malformed or out of range. (`off` is the loader's.)
    public static func parse(_ text: String) -> RequestRate? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let perSecond = Int(parts[0]), let burst = Int(parts[1]),
            (1...100_000).contains(perSecond), (1...1_000_000).contains(burst)
        else { return nil }
        return RequestRate(perSecond: perSecond, burst: burst)
    }
}
