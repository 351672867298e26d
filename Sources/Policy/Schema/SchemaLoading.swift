extension Schema {
    /// Parses and checks `.schema` sources into a schema, or throws every problem found (one
    /// syntax error per file, then every declaration problem).
    public static func load(_ sources: [SourceFile]) throws(PolicyLoadError) -> Schema {
        var diagnostics: [PolicyDiagnostic] = []
        var ast = SchemaAST()
        for file in sources.sorted(by: { $0.path < $1.path }) {
            do {
                try SchemaParser.parse(file, into: &ast)
            } catch {
                diagnostics.append(error)
            }
        }
        guard diagnostics.isEmpty else { throw PolicyLoadError(diagnostics) }
        switch SchemaChecker.check(ast) {
        case .success(let schema): return schema
        case .failure(let error): throw error
        }
    }

    /// Checks one policy file against this schema without building a policy set: the problems
    /// `bilet policy check` would report for it (rule ids are checked for duplicates within the
    /// file only). Empty when the file is fine.
    public func check(policy: SourceFile) -> [PolicyDiagnostic] {
        var diagnostics: [PolicyDiagnostic] = []
        var ids: [String: SourceLocation] = [:]
        _ = compileRules(of: policy, ids: &ids, diagnostics: &diagnostics)
        return diagnostics.sorted { $0.location < $1.location }
    }

    /// Parses and checks the rules of `file`, appending problems to `diagnostics` and rule ids to
    /// `ids` (a rule whose id is already there is refused).
    func compileRules(
        of file: SourceFile, ids: inout [String: SourceLocation], diagnostics: inout [PolicyDiagnostic]
    ) -> [CompiledRule] {
        let rules: [RuleAST]
        do {
            rules = try PolicyParser.parse(file)
        } catch {
            diagnostics.append(error)
            return []
        }
        let checker = RuleChecker(schema: self)
        var compiled: [CompiledRule] = []
        for rule in rules {
            do {
                let checked = try checker.check(rule)
                let location = rule.annotations["id"]?.location ?? rule.location
                if let first = ids[checked.id] {
                    diagnostics.append(
                        PolicyDiagnostic(.duplicateRuleID, at: location, "rule id '\(checked.id)' is already used at \(first)"))
                    continue
                }
                ids[checked.id] = location
                compiled.append(checked)
            } catch {
                diagnostics.append(error)
            }
        }
        return compiled
    }
}
