/// The parsed, unchecked form of one rule.
struct RuleAST: Sendable {
    enum Effect: String, Sendable {
        case permit
        case forbid
    }

    /// A scope element: unconstrained, one name (`is x` / `== x`) or a set (`in [x, y]`).
    enum Constraint: Sendable {
        case any
        case one(Located<String>)
        case set([Located<String>])

        var names: [Located<String>]? {
            switch self {
            case .any: return nil
            case .one(let name): return [name]
            case .set(let names): return names
            }
        }
    }

    struct FieldGrant: Sendable {
        var name: Located<String>
        var mask: Located<String>?
    }

    struct Condition: Sendable {
        /// true for `when`, false for `unless`.
        var isWhen: Bool
        var expression: ExpressionAST
    }

    var annotations: [String: Located<String>]
    var effect: Effect
    var location: SourceLocation
    var principal: Constraint
    var principalLocation: SourceLocation
    var action: Constraint
    var actionLocation: SourceLocation
    var resource: Constraint
    var resourceLocation: SourceLocation
    var purpose: Constraint
    var fields: [FieldGrant]?
    var fieldsLocation: SourceLocation?
    var conditions: [Condition]
}

/// A parsed condition expression.
struct ExpressionAST: Sendable {
    indirect enum Kind: Sendable {
        case bool(Bool)
        case long(Int64)
        case string(String)
        case timestamp(Timestamp)
        /// `principal`, `resource` or `context`.
        case variable(String)
        case member(ExpressionAST, Located<String>)
        case has(ExpressionAST, Located<String>)
        case not(ExpressionAST)
        case and(ExpressionAST, ExpressionAST)
        case or(ExpressionAST, ExpressionAST)
        /// `==`, `!=`, `<`, `<=`, `>`, `>=`.
        case compare(String, ExpressionAST, ExpressionAST)
        /// `x in [a, b]`.
        case inSet(ExpressionAST, [ExpressionAST])
        /// `x in path [until N days after]`; grace in seconds.
        case inPath(ExpressionAST, ExpressionAST, grace: Int64)
        /// `t + N days` / `t - N hours`, in seconds.
        case shift(ExpressionAST, Int64)
    }

    var kind: Kind
    var location: SourceLocation
}
