/// A test definition the ``DefinitionValidator`` accepted: every required member present and
/// every rule of the format kept, with its compiled ``ScoringKey``.
public struct ValidatedTest: Sendable {
    /// The definition as written.
    public let definition: TestDefinition
    /// The compiled scoring of the definition.
    public let key: ScoringKey

    init(_ definition: TestDefinition, catalogue: DimensionCatalogue) {
        self.definition = definition
        self.key = ScoringKey(definition, catalogue: catalogue)
    }

    public var code: String { definition.code ?? "" }
    public var title: String { definition.title ?? "" }
    public var version: Int { definition.version ?? 0 }
    public var timeLimitSeconds: Int { definition.timeLimitSeconds ?? 0 }
    public var maxAttempts: Int { definition.maxAttempts ?? 1 }

    /// The definition as a pupil sees it: the questions and options without any score (the answer
    /// key stays with the module).
    public var withoutScores: TestDefinition {
        var copy = definition
        copy.sections = copy.sections?.map { section in
            var section = section
            section.questions = section.questions?.map { question in
                var question = question
                question.scores = nil
                question.options = question.options?.map { TestDefinition.Option(id: $0.id, text: $0.text) }
                question.items = question.items?.map { TestDefinition.Option(id: $0.id, text: $0.text) }
                return question
            }
            return section
        }
        return copy
    }
}
