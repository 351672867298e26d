/// A count as it may leave the server in aggregate figures: the exact number when it is 5 or
/// more, otherwise only that it is under 5 (rendered `"<5"`), so a small group cannot be singled
/// out. There is no way to build an exact value under 5: ``init(_:)`` suppresses it.
public enum SuppressedCount: Sendable, Hashable, Encodable, CustomStringConvertible {
    /// 5 or more, exactly.
    case exactly(Int)
    /// 0 to 4.
    case fewerThanFive

    /// The smallest count shown exactly.
    public static let threshold = 5

    /// `count`, suppressed when under ``threshold``.
    public init(_ count: Int) {
        self = count >= Self.threshold ? .exactly(count) : .fewerThanFive
    }

    public var description: String {
        switch self {
        case .exactly(let count): String(count)
        case .fewerThanFive: "<5"
        }
    }

    /// A number, or the string `"<5"`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .exactly(let count): try container.encode(count)
        case .fewerThanFive: try container.encode("<5")
        }
    }
}
