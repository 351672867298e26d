/// Something that went wrong while deciding a request. Any such error makes the decision a deny
/// (unlike Cedar, which skips an erroring policy).
///
/// The detail names attributes, fields and rules, never values: it is safe to log and to audit.
public struct EvaluationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable error codes.
    public enum Code: String, Hashable, Sendable {
        /// The request names a role, action, resource type, purpose or field the schema does not
        /// declare, an action the schema does not apply to the resource type, a field the
        /// resource type does not have, or the same field twice. The detail
        /// never repeats an undeclared name: it came from the caller and could hold anything.
        case invalidRequest = "invalid_request"
        /// A rule reads an attribute the request does not carry.
        case missingAttribute = "missing_attribute"
        /// An attribute in the request has a different type than the schema declares.
        case attributeType = "attribute_type"
        /// The relationship resolver threw (e.g. the database failed).
        case relationshipLookupFailed = "relationship_lookup_failed"
        /// Time arithmetic overflowed.
        case arithmeticOverflow = "arithmetic_overflow"
    }

    public var code: Code
    /// The rule whose evaluation failed; nil for errors in the request itself.
    public var ruleID: String?
    /// What failed, naming attributes or fields but never their values.
    public var detail: String

    /// Creates an error; `detail` names attributes or fields, never values.
    public init(code: Code, ruleID: String? = nil, detail: String) {
        self.code = code
        self.ruleID = ruleID
        self.detail = detail
    }

    public var description: String {
        if let ruleID { return "\(code.rawValue) in rule \(ruleID): \(detail)" }
        return "\(code.rawValue): \(detail)"
    }
}
