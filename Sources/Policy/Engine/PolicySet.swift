/// A loaded, checked and compiled set of policies, ready to decide requests. Immutable and safe to
/// share between tasks; `PolicyStore` swaps whole sets on reload.
///
/// Rules are indexed by (action, resource type) at load, and scopes are bit sets, so a decision
/// touches only the rules that can apply and allocates little beyond its result.
public final class PolicySet: Sendable {
    struct Entry: Sendable {
        let rule: CompiledRule
        let fields: FieldGrant?
    }

    struct Bucket: Sendable {
        var forbids: [Entry] = []
        var permits: [Entry] = []
    }

    /// The digest of the canonical source; every decision carries it.
    public let version: PolicyVersion
    /// The checked schema.
    public let schema: Schema
    /// Every rule, in load order (files sorted by path).
    public let rules: [RuleSummary]

    let compiled: [CompiledRule]
    let buckets: [Bucket]
    let typeCount: Int

    /// A rule's identity and place, as `bilet policy` and coverage reports name it.
    public struct RuleSummary: Hashable, Sendable {
        public var id: String
        /// `permit` or `forbid`.
        public var effect: String
        public var location: SourceLocation
        /// The rule's `@doc` annotation.
        public var documentation: String?
    }

    private init(version: PolicyVersion, schema: Schema, compiled: [CompiledRule]) {
        self.version = version
        self.schema = schema
        self.compiled = compiled
        self.rules = compiled.map {
            RuleSummary(id: $0.id, effect: $0.effect.rawValue, location: $0.location, documentation: $0.documentation)
        }
        typeCount = schema.entityTypes.count
        var buckets = Array(repeating: Bucket(), count: max(1, schema.actions.count * typeCount))
        for rule in compiled {
            for pair in rule.pairs {
                let entry = Entry(rule: rule, fields: rule.fields?[pair.type])
                if rule.effect == .forbid {
                    buckets[pair.action * typeCount + pair.type].forbids.append(entry)
                } else {
                    buckets[pair.action * typeCount + pair.type].permits.append(entry)
                }
            }
        }
        self.buckets = buckets
    }

    // MARK: Loading

    /// Loads the `*.schema` and `*.policy` files directly inside `directory` (not `tests/`).
    public static func load(
        directory: String, hasher: some PolicyVersionHasher
    ) throws(PolicyLoadError) -> PolicySet {
        try compile(PolicySources.policyFiles(in: directory), hasher: hasher)
    }

    /// Checks and compiles `sources`: `.schema` files declare the schema, `.policy` files hold
    /// rules; other files are ignored. Throws every problem found, each with `file:line:col`.
    public static func compile(
        _ sources: [SourceFile], hasher: some PolicyVersionHasher
    ) throws(PolicyLoadError) -> PolicySet {
        let sorted = sources.filter { $0.path.hasSuffix(".schema") || $0.path.hasSuffix(".policy") }
            .sorted { $0.path < $1.path }
        let schemaFiles = sorted.filter { $0.path.hasSuffix(".schema") }
        guard !schemaFiles.isEmpty else {
            throw PolicyLoadError([
                PolicyDiagnostic(
                    .missingSchema, at: SourceLocation(file: "schema", line: 1, column: 1),
                    "no .schema file in the policy set")
            ])
        }
        let schema = try Schema.load(schemaFiles)
        var diagnostics: [PolicyDiagnostic] = []
        var compiled: [CompiledRule] = []
        var ids: [String: SourceLocation] = [:]
        for file in sorted where file.path.hasSuffix(".policy") {
            compiled += schema.compileRules(of: file, ids: &ids, diagnostics: &diagnostics)
        }
        guard diagnostics.isEmpty else { throw PolicyLoadError(diagnostics) }
        return PolicySet(version: hasher.version(of: canonicalBytes(sorted)), schema: schema, compiled: compiled)
    }

    /// The bytes the version is computed over: for each schema and policy file in path order, its
    /// path, a NUL, its text, a NUL.
    static func canonicalBytes(_ sorted: [SourceFile]) -> [UInt8] {
        var bytes: [UInt8] = []
        for file in sorted {
            bytes += Array(file.path.utf8)
            bytes.append(0)
            bytes += Array(file.text.utf8)
            bytes.append(0)
        }
        return bytes
    }

    // MARK: Deciding

    /// Decides `request`, looking relationships up through `relationships`.
    ///
    /// Never throws: an unknown name in the request, a missing or mistyped attribute, or a failing
    /// relationship lookup all become a deny carrying the error. Deny by default; any matching
    /// forbid beats every permit; every requested field must be granted.
    public func decide(_ request: PolicyRequest, relationships: some RelationshipResolver) async -> Decision {
        await run(request, relationships, tracing: false).decision
    }

    /// Decides `request` like `decide`, and reports how each applicable rule fared.
    public func explain(_ request: PolicyRequest, relationships: some RelationshipResolver) async -> Explanation {
        await run(request, relationships, tracing: true)
    }

    private func deny(
        _ reason: Decision.DenyReason, _ request: PolicyRequest, rules: [String] = [], deniedFields: [String] = [],
        errors: [EvaluationError] = []
    ) -> Decision {
        Decision(
            effect: .deny, reason: reason,
            fields: request.fields.map { FieldDecision(name: $0, treatment: .denied) }, decidingRules: rules,
            deniedFields: deniedFields, errors: errors, policyVersion: version)
    }

    private func invalid(_ request: PolicyRequest, _ detail: String) -> Explanation {
        Explanation(
            decision: deny(.invalidRequest, request, errors: [EvaluationError(code: .invalidRequest, detail: detail)]),
            evaluations: [])
    }

    private enum Scope {
        case inScope
        case outOfScope(RuleEvaluation.Outcome)
    }

    private func scope(_ entry: Entry, roleBit: UInt64, purposeBit: UInt64, requested: UInt64) -> Scope {
        if entry.rule.roleMask & roleBit == 0 { return .outOfScope(.roleOutOfScope) }
        if entry.rule.purposeMask & purposeBit == 0 { return .outOfScope(.purposeOutOfScope) }
        if entry.rule.effect == .forbid, let fields = entry.fields, fields.any & requested == 0 {
            return .outOfScope(.fieldsNotRequested)
        }
        return .inScope
    }

    private func evaluate<R: RelationshipResolver>(_ entry: Entry, _ evaluator: Evaluator<R>) async -> RuleEvaluation
        .Outcome
    {
        guard let condition = entry.rule.condition else { return .matched }
        do {
            return try await evaluator.truth(condition) ? .matched : .conditionFalse
        } catch {
            return .failed(EvaluationError(code: error.code, ruleID: entry.rule.id, detail: error.detail))
        }
    }

    private func trace(_ entry: Entry, _ outcome: RuleEvaluation.Outcome) -> RuleEvaluation {
        RuleEvaluation(
            ruleID: entry.rule.id, effect: entry.rule.effect.rawValue, location: entry.rule.location, outcome: outcome)
    }

    private func run<R: RelationshipResolver>(_ request: PolicyRequest, _ resolver: R, tracing: Bool) async
        -> Explanation
    {
        guard let role = schema.roleIDs[request.principal.role] else { return invalid(request, "unknown role") }
        guard let action = schema.actionIDs[request.action] else { return invalid(request, "unknown action") }
        guard let type = schema.entityIDs[request.resource.type] else {
            return invalid(request, "unknown resource type")
        }
        guard let purpose = schema.purposeIDs[request.purpose] else { return invalid(request, "unknown purpose") }
        var requested: UInt64 = 0
        for field in request.fields {
            guard let id = schema.fieldIDs[type][field] else {
                return invalid(request, "resource type '\(request.resource.type)' has no field '\(field)'")
            }
            requested |= 1 << UInt64(id)
        }
        let roleBit: UInt64 = 1 << UInt64(role)
        let purposeBit: UInt64 = 1 << UInt64(purpose)
        let bucket = buckets[action * typeCount + type]
        let evaluator = Evaluator(request: request, resolver: resolver)
        var evaluations: [RuleEvaluation] = []
        var errors: [EvaluationError] = []

        var forbidding: [String] = []
        for entry in bucket.forbids {
            let outcome: RuleEvaluation.Outcome
            switch scope(entry, roleBit: roleBit, purposeBit: purposeBit, requested: requested) {
            case .outOfScope(let reason): outcome = reason
            case .inScope: outcome = await evaluate(entry, evaluator)
            }
            if tracing { evaluations.append(trace(entry, outcome)) }
            switch outcome {
            case .matched: forbidding.append(entry.rule.id)
            case .failed(let error): errors.append(error)
            default: break
            }
        }

        var permitting: [String] = []
        var granted = FieldGrant()
        if tracing || (forbidding.isEmpty && errors.isEmpty) {
            for entry in bucket.permits {
                let outcome: RuleEvaluation.Outcome
                switch scope(entry, roleBit: roleBit, purposeBit: purposeBit, requested: requested) {
                case .outOfScope(let reason): outcome = reason
                case .inScope: outcome = await evaluate(entry, evaluator)
                }
                if tracing { evaluations.append(trace(entry, outcome)) }
                switch outcome {
                case .matched:
                    permitting.append(entry.rule.id)
                    if let fields = entry.fields { granted.formUnion(fields) }
                case .failed(let error) where forbidding.isEmpty: errors.append(error)
                default: break
                }
            }
        }

        let decision: Decision
        if !forbidding.isEmpty {
            decision = deny(.forbidden, request, rules: forbidding, errors: errors)
        } else if !errors.isEmpty {
            decision = deny(.evaluationError, request, errors: errors)
        } else if permitting.isEmpty {
            decision = deny(.noMatchingPermit, request)
        } else {
            decision = grant(request, type: type, requested: requested, granted: granted, rules: permitting)
        }
        return Explanation(decision: decision, evaluations: evaluations)
    }

    /// Allows when the matching permits grant every requested field; plain beats masked, and
    /// between masks the first in `Mask.allCases` wins.
    private func grant(
        _ request: PolicyRequest, type: Int, requested: UInt64, granted: FieldGrant, rules: [String]
    ) -> Decision {
        let missing = requested & ~(granted.plain | granted.anyMasked)
        if missing != 0 {
            let denied = request.fields.filter { field in
                guard let id = schema.fieldIDs[type][field] else { return true }
                return missing & (1 << UInt64(id)) != 0
            }
            return deny(.fieldsNotGranted, request, rules: rules, deniedFields: denied)
        }
        let fieldIDs = schema.fieldIDs[type]
        let fields = request.fields.map { field -> FieldDecision in
            let bit: UInt64 = 1 << UInt64(fieldIDs[field] ?? 63)
            if granted.plain & bit != 0 { return FieldDecision(name: field, treatment: .plain) }
            for mask in Mask.allCases where granted.masked(mask) & bit != 0 {
                return FieldDecision(name: field, treatment: .masked(mask))
            }
            return FieldDecision(name: field, treatment: .denied)
        }
        return Decision(
            effect: .allow, reason: nil, fields: fields, decidingRules: rules, deniedFields: [], errors: [],
            policyVersion: version)
    }
}
