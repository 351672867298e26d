/// A typed attribute value in a request (a principal's or a resource's attribute) or in a rule.
///
/// Values of schema `enum` types (a role name, a service name) are carried as `.string`; the
/// schema checker makes sure rules only compare them with declared members.
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case bool(Bool)
    case long(Int64)
    case string(String)
    case timestamp(Timestamp)
    case entity(EntityRef)

    public var description: String {
        switch self {
        case .bool(let value): return String(value)
        case .long(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        case .timestamp(let value): return "timestamp \"\(value)\""
        case .entity(let value): return value.description
        }
    }
}
