/// The engine's answer to one request.
///
/// Deny by default: a request is allowed only when at least one permit matches, no forbid matches,
/// no rule failed to evaluate, and every requested field is granted. Fields that are not granted
/// are not trimmed away: the whole request is denied. When matching permits grant a field
/// differently, the stricter grant holds: masked beats plain, and a field granted with two
/// different masks is not granted.
public struct Decision: Hashable, Sendable, CustomStringConvertible {
    /// Allow or deny.
    public enum Effect: String, Hashable, Sendable {
        case allow
        case deny
    }

    /// Why a request was denied.
    public enum DenyReason: String, Hashable, Sendable {
        /// The request named something the schema does not declare, an action that does not
        /// apply to the resource type, or a field twice; see `errors`.
        case invalidRequest = "invalid_request"
        /// A rule failed to evaluate; see `errors`.
        case evaluationError = "evaluation_error"
        /// A forbid rule matched; `decidingRules` names it.
        case forbidden
        /// No permit rule matched.
        case noMatchingPermit = "no_matching_permit"
        /// Permits matched but did not grant every requested field; see `deniedFields`.
        case fieldsNotGranted = "fields_not_granted"
    }

    public var effect: Effect
    /// Nil when allowed.
    public var reason: DenyReason?
    /// One entry per requested field, in request order. When allowed, each is plain or masked;
    /// when denied, each is `.denied`.
    public var fields: [FieldDecision]
    /// On allow, the matching permits; on a forbid, the matching forbids; on `fieldsNotGranted`,
    /// the permits that matched but fell short.
    public var decidingRules: [String]
    /// On `fieldsNotGranted`, the requested fields no matching permit granted.
    public var deniedFields: [String]
    /// Evaluation errors; non-empty means deny.
    public var errors: [EvaluationError]
    /// The version of the policy set that decided, for the audit record.
    public var policyVersion: PolicyVersion

    /// True when the effect is allow.
    public var isAllowed: Bool { effect == .allow }

    public var description: String {
        var text = effect.rawValue
        if let reason { text += " (\(reason.rawValue))" }
        if !fields.isEmpty { text += " fields [\(fields.map(\.description).joined(separator: ", "))]" }
        if !decidingRules.isEmpty { text += " by [\(decidingRules.joined(separator: ", "))]" }
        if !deniedFields.isEmpty { text += " not granted [\(deniedFields.joined(separator: ", "))]" }
        if !errors.isEmpty { text += " errors [\(errors.map(\.description).joined(separator: "; "))]" }
        return text + " policy \(policyVersion)"
    }
}
