public import Hummingbird
public import HTTPTypes

/// The routes a router serves, as (path, methods), to tell an unknown path (`404
/// route-not-found`) from a known path asked with a method it does not serve (`405
/// method-not-allowed`, with `Allow`), and to list the routes for the API contract's test.
public struct RouteTable: Sendable, Hashable {
    /// One route: a path as Hummingbird prints it (`/v1/pupils/{token}`) and a method.
    public struct Route: Sendable, Hashable, Comparable, CustomStringConvertible {
        public let method: HTTPRequest.Method
        public let path: String

        public init(method: HTTPRequest.Method, path: String) {
            self.method = method
            self.path = path
        }

        public var description: String { "\(method.rawValue) \(path)" }

        public static func < (lhs: Route, rhs: Route) -> Bool {
            (lhs.path, lhs.method.rawValue) < (rhs.path, rhs.method.rawValue)
        }
    }

    /// Every route, sorted by path then method.
    public let routes: [Route]
    /// The paths without `**`, by their number of segments (a request path can only match those of
    /// its own length), each list sorted by path.
    private let pathsBySegmentCount: [[Entry]]
    /// The paths with `**`, which match any longer path, sorted by path.
    private let openEndedPaths: [Entry]

    private typealias Entry = (segments: [Segment], methods: Set<HTTPRequest.Method>, pattern: Int)

    /// The routes of `router` (everything added to it so far).
    public init<Context>(_ router: Router<Context>) {
        self.init(router.routes.map { Route(method: $0.method, path: $0.path.description) })
    }

    /// A table of `routes`.
    public init(_ routes: [Route]) {
        self.routes = routes.sorted()
        var byPath: [String: Set<HTTPRequest.Method>] = [:]
        for route in routes { byPath[route.path, default: []].insert(route.method) }
        let sorted = byPath.sorted { $0.key < $1.key }
        self.patterns = sorted.map(\.key)
        let paths: [Entry] = sorted.enumerated().map { (Segment.parse($0.element.key), $0.element.value, $0.offset) }
        let fixed = paths.filter { !$0.segments.contains(.rest) }
        var bySegmentCount = [[Entry]](repeating: [], count: (fixed.map(\.segments.count).max() ?? 0) + 1)
        for entry in fixed { bySegmentCount[entry.segments.count].append(entry) }
        self.pathsBySegmentCount = bySegmentCount
        self.openEndedPaths = paths.filter { $0.segments.contains(.rest) }
    }

    /// The route path patterns, each once, sorted (`/v1/pupils/{token}`); a ``Match`` names one by
    /// its index here.
    public let patterns: [String]

    /// The route path a request path matched.
    public struct Match: Sendable {
        /// The index of the pattern in ``RouteTable/patterns``.
        public let pattern: Int
        /// The methods served at that path.
        public let methods: Set<HTTPRequest.Method>
    }

    /// What the table says of a request path: the methods served there, or `nil` when no route's
    /// path matches.
    public func methods(forPath path: Substring) -> Set<HTTPRequest.Method>? {
        self.match(path: path)?.methods
    }

    /// The most specific route path `path` matches, or `nil` when none does.
    public func match(path: Substring) -> Match? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        // Like Hummingbird's trie, the most specific path wins: segment by segment, a literal over
        // a partial match over a capture over `**` (`/v1/pupils/search` is not `/v1/pupils/{token}`).
        // Every request asks: one pass over the paths that can match (those of the request's length
        // and the open-ended ones), no copies.
        var best: Entry?
        func consider(_ entries: [Entry]) {
            for entry in entries where Segment.match(entry.segments, parts) {
                if let current = best, !Segment.lessSpecific(current.segments, than: entry.segments) { continue }
                best = entry
            }
        }
        if parts.count < pathsBySegmentCount.count { consider(pathsBySegmentCount[parts.count]) }
        consider(openEndedPaths)
        return best.map { Match(pattern: $0.pattern, methods: $0.methods) }
    }

    public static func == (lhs: RouteTable, rhs: RouteTable) -> Bool { lhs.routes == rhs.routes }
    public func hash(into hasher: inout Hasher) { hasher.combine(routes) }

    /// One segment of a route path.
    enum Segment: Hashable {
        case literal(Substring)
        /// `{name}`, `*`: any one segment.
        case any
        /// `**`: everything that follows.
        case rest
        /// `*.jpg`, `{name}.jpg`: a segment with this suffix.
        case suffix(Substring)
        /// `file.*`, `file.{name}`: a segment with this prefix.
        case prefix(Substring)

        static func parse(_ path: String) -> [Segment] {
            path.split(separator: "/", omittingEmptySubsequences: true).map { part in
                if part == "**" { return .rest }
                if part == "*" || (part.first == "{" && part.last == "}" && part.dropFirst().firstIndex(of: "}") == part.index(before: part.endIndex)) {
                    return .any
                }
                if part.first == "*" { return .suffix(part.dropFirst()) }
                if part.first == "{", let close = part.firstIndex(of: "}") { return .suffix(part[part.index(after: close)...]) }
                if part.last == "*" { return .prefix(part.dropLast()) }
                if part.last == "}", let open = part.lastIndex(of: "{") { return .prefix(part[..<open]) }
                return .literal(part)
            }
        }

        /// How specific a segment is: a literal 3, a prefix or suffix match 2, any one segment 1, the rest 0.
        var rank: Int {
            switch self {
            case .literal: 3
            case .prefix, .suffix: 2
            case .any: 1
            case .rest: 0
            }
        }

        /// Whether `lhs` is less specific than `rhs`, two paths that match the same request path:
        /// compared segment by segment; when one is the other followed by `**` (the only way both can
        /// match when their ranks agree), the one ending in `**` is less specific, as in
        /// Hummingbird's trie, where `/v1/pupils/{token}` serves `/v1/pupils/T-1` before
        /// `/v1/pupils/{token}/**` does.
        static func lessSpecific(_ lhs: [Segment], than rhs: [Segment]) -> Bool {
            for (left, right) in zip(lhs, rhs) where left.rank != right.rank { return left.rank < right.rank }
            return lhs.count > rhs.count
        }

        static func match(_ segments: [Segment], _ parts: [Substring]) -> Bool {
            var index = parts.startIndex
            for segment in segments {
                if case .rest = segment { return true }
                guard index < parts.endIndex else { return false }
                let part = parts[index]
                let matches: Bool =
                    switch segment {
                    case .literal(let text): text == part
                    case .any, .rest: true
                    case .suffix(let suffix): part.hasSuffix(suffix)
                    case .prefix(let prefix): part.hasPrefix(prefix)
                    }
                guard matches else { return false }
                index += 1
            }
            return index == parts.endIndex
        }
    }
}
