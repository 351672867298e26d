public import Foundation

/// A pupil's current value on one footprint dimension (0…100).
public struct FootprintValue: Sendable, Hashable {
    public var dimension: String
    public var value: Int
    public var updatedAt: Date

    /// Creates a value.
    public init(dimension: String, value: Int, updatedAt: Date) {
        self.dimension = dimension
        self.value = value
        self.updatedAt = updatedAt
    }
}

/// One change of a footprint value, naming the session whose result caused it.
public struct FootprintChange: Sendable, Hashable {
    public var dimension: String
    /// `nil` for the dimension's first value.
    public var oldValue: Int?
    public var newValue: Int
    public var sourceSession: UUID
    public var changedAt: Date

    /// Creates a change.
    public init(dimension: String, oldValue: Int?, newValue: Int, sourceSession: UUID, changedAt: Date) {
        self.dimension = dimension
        self.oldValue = oldValue
        self.newValue = newValue
        self.sourceSession = sourceSession
        self.changedAt = changedAt
    }

    /// The footprint rule: a dimension's first value is the result's; afterwards the mean of the
    /// previous value and the result, rounded half up, so one test moves the footprint without
    /// erasing what came before.
    public static func merged(_ old: Int?, _ result: Int) -> Int {
        guard let old else { return result }
        return (old + result + 1) / 2
    }
}
