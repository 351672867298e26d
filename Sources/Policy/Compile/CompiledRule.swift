/// One rule after checking: its scope as bit sets, its condition compiled, and the
/// (action, resource type) buckets it belongs to.
final class CompiledRule: Sendable {
    let id: String
    let effect: RuleAST.Effect
    let location: SourceLocation
    let documentation: String?
    /// Bit `i` set when role `i` is in scope.
    let roleMask: UInt64
    /// Bit `i` set when purpose `i` is in scope.
    let purposeMask: UInt64
    /// Nil means always true.
    let condition: Node?
    /// (action id, resource type id) pairs the rule applies to.
    let pairs: [(action: Int, type: Int)]
    /// Per resource type id, the fields the `fields` clause names; nil when the rule has none.
    let fields: [Int: FieldGrant]?

    init(
        id: String, effect: RuleAST.Effect, location: SourceLocation, documentation: String?, roleMask: UInt64,
        purposeMask: UInt64, condition: Node?, pairs: [(action: Int, type: Int)], fields: [Int: FieldGrant]?
    ) {
        self.id = id
        self.effect = effect
        self.location = location
        self.documentation = documentation
        self.roleMask = roleMask
        self.purposeMask = purposeMask
        self.condition = condition
        self.pairs = pairs
        self.fields = fields
    }
}

/// The fields a rule names for one resource type, as bit sets over the type's field ids.
struct FieldGrant: Sendable {
    /// Every named field, whatever its treatment.
    var any: UInt64 = 0
    /// Fields granted plain.
    var plain: UInt64 = 0
    /// Fields granted as their initial.
    var initial: UInt64 = 0
    /// Fields granted as a year.
    var year: UInt64 = 0

    /// The fields granted with `mask`.
    func masked(_ mask: Mask) -> UInt64 {
        switch mask {
        case .initial: return initial
        case .year: return year
        }
    }

    /// Grants the fields in `bits` with `mask`.
    mutating func add(_ bits: UInt64, masked mask: Mask) {
        switch mask {
        case .initial: initial |= bits
        case .year: year |= bits
        }
    }

    /// Adds everything `other` grants.
    mutating func formUnion(_ other: FieldGrant) {
        any |= other.any
        plain |= other.plain
        initial |= other.initial
        year |= other.year
    }

    /// Fields granted with any mask.
    var anyMasked: UInt64 { initial | year }

    /// Fields granted with more than one mask (by different permits): neither mask is stricter
    /// than the other, so such a field is not granted.
    var conflictingMasks: UInt64 { initial & year }
}
