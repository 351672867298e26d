/// One problem found while loading policies, the schema or test files, with its location.
///
/// Messages name rules, types, attributes and fields; they never quote attribute values from
/// requests (there are none at load time).
public struct PolicyDiagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable codes, one per kind of problem.
    public enum Code: String, Hashable, Sendable, CaseIterable {
        // Reading
        case unreadableFile = "unreadable_file"
        case missingSchema = "missing_schema"
        case noRules = "no_rules"
        // Syntax
        case unexpectedCharacter = "unexpected_character"
        case unterminatedString = "unterminated_string"
        case invalidNumber = "invalid_number"
        case unexpectedToken = "unexpected_token"
        case nestingTooDeep = "nesting_too_deep"
        case invalidTimestamp = "invalid_timestamp"
        // Names
        case unknownRole = "unknown_role"
        case unknownAction = "unknown_action"
        case unknownResourceType = "unknown_resource_type"
        case unknownEntityType = "unknown_entity_type"
        case unknownAttribute = "unknown_attribute"
        case unknownField = "unknown_field"
        case unknownPurpose = "unknown_purpose"
        case unknownRelation = "unknown_relation"
        case unknownType = "unknown_type"
        case unknownMask = "unknown_mask"
        case unknownAnnotation = "unknown_annotation"
        case unknownFixture = "unknown_fixture"
        case duplicateDeclaration = "duplicate_declaration"
        case duplicateRuleID = "duplicate_rule_id"
        case missingRuleID = "missing_rule_id"
        case duplicateClause = "duplicate_clause"
        // Types and meaning
        case typeMismatch = "type_mismatch"
        case neverMatches = "never_matches"
        case chainTooLong = "chain_too_long"
        case maskNotAllowed = "mask_not_allowed"
        case purposeRequired = "purpose_required"
        case tooMany = "too_many"
        case incompleteTestCase = "incomplete_test_case"
    }

    public var code: Code
    public var location: SourceLocation
    /// A human explanation, without request values.
    public var message: String

    /// Creates a diagnostic; `message` must not quote request values.
    public init(_ code: Code, at location: SourceLocation, _ message: String) {
        self.code = code
        self.location = location
        self.message = message
    }

    /// `file:line:col: error[code]: message`, the form editors and CI understand.
    public var description: String { "\(location): error[\(code.rawValue)]: \(message)" }
}

/// Loading a policy set (or a test suite) failed; `diagnostics` says where and why, sorted by
/// location. A store that fails to reload keeps its previous set.
public struct PolicyLoadError: Error, Hashable, Sendable, CustomStringConvertible {
    public var diagnostics: [PolicyDiagnostic]

    /// Wraps `diagnostics`, sorted by location.
    public init(_ diagnostics: [PolicyDiagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.location < $1.location }
    }

    /// The code of the first diagnostic.
    public var code: PolicyDiagnostic.Code { diagnostics.first?.code ?? .unreadableFile }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
