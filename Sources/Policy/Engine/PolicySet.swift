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
    /// Per `action * typeCount + type`: whether the schema says the action applies to the type.
    let applies: [Bool]

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
        var applies = Array(repeating: false, count: max(1, schema.actions.count * typeCount))
        for (action, declaration) in schema.actions.enumerated() {
            for name in declaration.appliesTo {
                if let type = schema.entityIDs[name] { applies[action * typeCount + type] = true }
            }
        }
        self.applies = applies
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
    ///
    /// Refuses, besides every problem in the schema and the rules: no schema file; a NUL byte
    /// anywhere in a path or text (it would make the canonical bytes, and so the version,
    /// ambiguous); a set without a single rule (it would deny every request); a permit that a
    /// forbid without conditions always overrides, so it can never allow anything.
    public static func compile(
        _ sources: [SourceFile], hasher: some PolicyVersionHasher
    ) throws(PolicyLoadError) -> PolicySet {
        let sorted = sources.filter { $0.path.hasSuffix(".schema") || $0.path.hasSuffix(".policy") }
            .sorted { $0.path < $1.path }
        let nulDiagnostics = sorted.compactMap(nulByte(in:))
        guard nulDiagnostics.isEmpty else { throw PolicyLoadError(nulDiagnostics) }
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
        guard !compiled.isEmpty else {
            throw PolicyLoadError([
                PolicyDiagnostic(
                    .noRules, at: SourceLocation(file: "policy", line: 1, column: 1),
                    "the policy set has no rules, so it would deny every request")
            ])
        }
        let shadowed = shadowedPermits(compiled, schema: schema)
        guard shadowed.isEmpty else { throw PolicyLoadError(shadowed) }
        return PolicySet(version: hasher.version(of: canonicalBytes(sorted)), schema: schema, compiled: compiled)
    }

    /// The location of the first NUL byte in `file`'s path or text, as a diagnostic.
    static func nulByte(in file: SourceFile) -> PolicyDiagnostic? {
        if file.path.utf8.contains(0) {
            return PolicyDiagnostic(
                .unexpectedCharacter, at: SourceLocation(file: file.path, line: 1, column: 1), "a NUL byte in the file name")
        }
        var line = 1
        var column = 1
        for byte in file.text.utf8 {
            if byte == 0 {
                return PolicyDiagnostic(
                    .unexpectedCharacter, at: SourceLocation(file: file.path, line: line, column: column),
                    "a NUL byte; policy and schema files are text")
            }
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return nil
    }

    /// Permits that can never allow anything: every (action, resource type) pair, role and purpose
    /// they apply to is also covered by one forbid with no condition and no field list, which
    /// then matches every request the permit could.
    static func shadowedPermits(_ compiled: [CompiledRule], schema: Schema) -> [PolicyDiagnostic] {
        let allPurposes: UInt64 = schema.purposes.count >= 64 ? .max : (1 << UInt64(schema.purposes.count)) - 1
        let absolute = compiled.filter { $0.effect == .forbid && $0.condition == nil && $0.fields == nil }
        var diagnostics: [PolicyDiagnostic] = []
        for permit in compiled where permit.effect == .permit {
            let purposes = permit.purposeMask & allPurposes
            let cover = absolute.first { forbid in
                permit.roleMask & ~forbid.roleMask == 0
                    && purposes & ~(forbid.purposeMask & allPurposes) == 0
                    && permit.pairs.allSatisfy { pair in
                        forbid.pairs.contains { $0.action == pair.action && $0.type == pair.type }
                    }
            }
            if let cover {
                diagnostics.append(
                    PolicyDiagnostic(
                        .neverMatches, at: permit.location,
                        "permit '\(permit.id)' can never allow anything: forbid '\(cover.id)' (\(cover.location)) "
                            + "has no condition and covers every role, action, resource type and purpose it applies to"))
            }
        }
        return diagnostics
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
        guard applies[action * typeCount + type] else {
            return invalid(request, "action '\(request.action)' does not apply to resource type '\(request.resource.type)'")
        }
        guard let purpose = schema.purposeIDs[request.purpose] else { return invalid(request, "unknown purpose") }
        var requested: UInt64 = 0
        for (position, field) in request.fields.enumerated() {
            // An undeclared name is not echoed: it came from the caller and could be anything.
            guard let id = schema.fieldIDs[type][field] else {
                return invalid(
                    request, "requested field \(position + 1) is not a field of resource type '\(request.resource.type)'")
            }
            let bit: UInt64 = 1 << UInt64(id)
            guard requested & bit == 0 else {
                return invalid(request, "field '\(field)' is requested twice")
            }
            requested |= bit
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
        // Permits decide only when no forbid matched or failed. `explain` still traces them, but
        // their errors must not reach its decision, or it would differ from `decide`'s.
        let permitsDecide = forbidding.isEmpty && errors.isEmpty
        if tracing || permitsDecide {
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
                case .failed(let error) where permitsDecide: errors.append(error)
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

    /// Allows when the matching permits grant every requested field. When permits grant a field
    /// differently, the stricter grant holds: a mask beats plain (a permit that releases only the
    /// initial is never silently widened by another that releases the whole value), and two
    /// different masks of one field are not comparable, so that field is not granted at all.
    private func grant(
        _ request: PolicyRequest, type: Int, requested: UInt64, granted: FieldGrant, rules: [String]
    ) -> Decision {
        let conflicting = granted.conflictingMasks
        let missing = requested & (~(granted.plain | granted.anyMasked) | conflicting)
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
            for mask in Mask.allCases where granted.masked(mask) & bit != 0 {
                return FieldDecision(name: field, treatment: .masked(mask))
            }
            if granted.plain & bit != 0 { return FieldDecision(name: field, treatment: .plain) }
            return FieldDecision(name: field, treatment: .denied)
        }
        return Decision(
            effect: .allow, reason: nil, fields: fields, decidingRules: rules, deniedFields: [], errors: [],
            policyVersion: version)
    }
}
