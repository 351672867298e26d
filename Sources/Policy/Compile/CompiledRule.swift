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
    /// Per `Mask.allCases` index, fields granted with that mask.
    var masked: [UInt64] = Array(repeating: 0, count: Mask.allCases.count)
}
