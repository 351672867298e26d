/// A checked, compiled condition. Built only by `RuleChecker`, so every node is well typed:
/// the evaluator's remaining failures are request problems (a missing or mistyped attribute) and
/// relationship lookups that throw.
indirect enum Node: Sendable {
    case constant(Value)
    case principalRole
    case principalAttribute(String, ValueCheck)
    case resourceAttribute(String, ValueCheck)
    case resourceEntity
    case contextTime
    case principalHas(String)
    case resourceHas(String)
    case equal(Node, Node)
    case notEqual(Node, Node)
    case less(Node, Node)
    case lessOrEqual(Node, Node)
    case and(Node, Node)
    case or(Node, Node)
    case not(Node)
    case member(Node, [Value])
    /// `object in subject.first[.second] until grace after`.
    case related(subject: Node, first: String, second: String?, object: Node, grace: Int64)
    case shift(Node, Int64)
}

/// What a request's attribute value must look like to match its declared type.
enum ValueCheck: Sendable {
    case bool
    case long
    case string
    case timestamp
    /// An entity of one of these types.
    case entity([String])
    /// A string, one of these members.
    case enumeration([String])

    func accepts(_ value: Value) -> Bool {
        switch (self, value) {
        case (.bool, .bool), (.long, .long), (.string, .string), (.timestamp, .timestamp): return true
        case (.entity(let types), .entity(let entity)): return types.contains(entity.type)
        case (.enumeration(let members), .string(let text)): return members.contains(text)
        default: return false
        }
    }
}
