import Assessment
import Foundation
import Testing

/// The test-definition format: the validator accepts the example, refuses each kind of mistake
/// with its stable code naming the section and question, reports every mistake at once, and
/// refuses oversized definitions; the dimension catalogue has the platform's dimensions.
@Suite("Assessment definitions and their validator")
struct AssessmentDefinitionTests {
    typealias Option = TestDefinition.Option
    typealias Question = TestDefinition.Question

    static func issues(_ definition: TestDefinition) -> [DefinitionIssue] {
        switch DefinitionValidator().validate(definition) {
        case .accepted: []
        case .refused(let issues): issues
        }
    }

    /// The example with question `id` of `section` (from 0) replaced by `question`.
    static func replacing(section: Int, question index: Int, with question: Question) -> TestDefinition {
        var definition = ExampleTest.definition()
        definition.sections![section].questions![index] = question
        return definition
    }

    @Test("the catalogue has 10 soft skills, 15 spheres, 50+ competencies and the awareness level, each id prefixed by its kind")
    func catalogue() {
        let catalogue = DimensionCatalogue.standard
        #expect(catalogue.dimensions(of: .softSkill).count == 10)
        #expect(catalogue.dimensions(of: .sphere).count == 15)
        #expect(catalogue.dimensions(of: .competency).count >= 50)
        #expect(catalogue.dimensions(of: .awareness).count == 1)
        #expect(Set(catalogue.dimensions.map(\.id)).count == catalogue.dimensions.count)
        for dimension in catalogue.dimensions { #expect(dimension.id.hasPrefix(dimension.kind.rawValue + "."), "\(dimension.id)") }
        #expect(catalogue.contains("sphere.it") && catalogue.contains("soft.teamwork") && catalogue.contains("competency.programming"))
    }

    @Test("the example test is accepted, also from its JSON")
    func exampleAccepted() throws {
        #expect(Self.issues(ExampleTest.definition()).isEmpty)
        let json = try JSONEncoder().encode(ExampleTest.definition())
        guard case .accepted(let test) = DefinitionValidator().validate(json: json) else {
            Issue.record("the example's JSON was refused")
            return
        }
        #expect(test.code == "career-interests-7" && test.version == 1 && test.maxAttempts == 1 && test.key.questionCount == 6)
    }

    /// One refused question per row: the question replaced, the code and the message expected.
    static let refusals: [(String, Question, DefinitionIssue.Code, String)] = [
        (
            "scale min not below max",
            Question(id: "q7", kind: "scale", text: "Rate", scale: TestDefinition.Scale(min: 5, max: 3), scores: ["soft.teamwork": 1]),
            .invalidScale, "section 2, question \"q7\": scale min 5 is not below max 3"
        ),
        (
            "unknown dimension",
            Question(id: "q7", kind: "single_choice", text: "Pick", options: [Option(id: "a", text: "A", scores: ["sphere.astrology": 1]), Option(id: "b", text: "B")]),
            .unknownDimension, "section 2, question \"q7\": option \"a\" scores unknown dimension \"sphere.astrology\""
        ),
        (
            "empty options",
            Question(id: "q7", kind: "multiple_choice", text: "Pick", options: []),
            .empty, "section 2, question \"q7\": the question's options are empty"
        ),
        (
            "ordering with one item",
            Question(id: "q7", kind: "ordering", text: "Order", items: [Option(id: "x", text: "X", scores: ["sphere.it": 1])]),
            .tooFewItems, "section 2, question \"q7\": an ordering question needs at least 2 items, it has 1"
        ),
        (
            "duplicate question id",
            Question(id: "q1", kind: "scale", text: "Rate", scale: TestDefinition.Scale(min: 1, max: 5), scores: ["soft.teamwork": 1]),
            .duplicateID, "section 2, question \"q1\": the id is used by a question of section 1 already"
        ),
        (
            "duplicate option id",
            Question(id: "q7", kind: "single_choice", text: "Pick", options: [Option(id: "a", text: "A"), Option(id: "a", text: "B")]),
            .duplicateID, "section 2, question \"q7\": option \"a\" appears twice"
        ),
        (
            "unknown kind",
            Question(id: "q7", kind: "essay", text: "Write"),
            .unknownKind, "section 2, question \"q7\": kind \"essay\" is not single_choice, multiple_choice, scale or ordering"
        ),
        (
            "weight out of range",
            Question(id: "q7", kind: "scale", text: "Rate", scale: TestDefinition.Scale(min: 1, max: 5), scores: ["soft.teamwork": 11]),
            .invalidWeight, "section 2, question \"q7\": the question gives \"soft.teamwork\" weight 11.0; weights are from 0 to 10"
        ),
        (
            "options on a scale",
            Question(
                id: "q7", kind: "scale", text: "Rate", options: [Option(id: "a", text: "A")], scale: TestDefinition.Scale(min: 1, max: 5),
                scores: ["soft.teamwork": 1]),
            .unexpectedMember, "section 2, question \"q7\": a scale question has no options or items"
        ),
        (
            "empty text",
            Question(id: "q7", kind: "scale", text: "  ", scale: TestDefinition.Scale(min: 1, max: 5), scores: ["soft.teamwork": 1]),
            .invalidText, "section 2, question \"q7\": the question's text is empty"
        ),
        (
            "bad question id",
            Question(id: "q 7!", kind: "scale", text: "Rate", scale: TestDefinition.Scale(min: 1, max: 5), scores: ["soft.teamwork": 1]),
            .invalidIdentifier, "section 2, question \"#1\": the question's id must be 1 to 64 letters, digits, '_', '-' or '.'"
        ),
    ]

    @Test("each mistake is refused with its code, naming the section and the question", arguments: 0..<refusals.count)
    func refused(row: Int) {
        let (_, question, code, message) = Self.refusals[row]
        let issues = Self.issues(Self.replacing(section: 1, question: 0, with: question))
        #expect(issues.map(\.code) == [code], "\(Self.refusals[row].0): \(issues)")
        #expect(issues.first?.description == message)
        #expect(issues.first?.section == 2)
    }

    @Test("every mistake is reported at once, in order")
    func allIssues() {
        var definition = ExampleTest.definition()
        definition.code = "Career Interests"
        definition.maxAttempts = 0
        definition.timeLimitSeconds = nil
        definition.sections![0].questions![1] = Question(id: "q2", kind: "multiple_choice", text: "Pick", options: [])
        definition.sections![1].questions![1] = Question(
            id: "q4", kind: "scale", text: "Rate", scale: TestDefinition.Scale(min: 5, max: 3), scores: ["soft.teamwork": 1])
        definition.sections![2].questions![0] = Question(id: "q5", kind: "ordering", text: "Order", items: [])
        let issues = Self.issues(definition)
        #expect(
            issues.map(\.description) == [
                "the code must be 1 to 64 lower-case letters, digits and '-'",
                "the test has no time_limit_seconds",
                "max_attempts 0 is not from 1 to 10",
                "section 1, question \"q2\": the question's options are empty",
                "section 2, question \"q4\": scale min 5 is not below max 3",
                "section 3, question \"q5\": an ordering question needs at least 2 items, it has 0",
            ])
        #expect(issues.map(\.code) == [.invalidCode, .missing, .invalidAttempts, .empty, .invalidScale, .tooFewItems])
    }

    @Test("a definition over the size limit is refused before it is parsed")
    func tooLarge() {
        let data = Data(repeating: 0x20, count: DefinitionValidator.maximumBytes + 1)
        guard case .refused(let issues) = DefinitionValidator().validate(json: data) else {
            Issue.record("an oversized definition was accepted")
            return
        }
        #expect(issues.map(\.code) == [.tooLarge])
    }

    @Test("JSON of the wrong shape is refused naming the member, not its value")
    func malformed() {
        let json = Data(#"{"code": "t", "sections": [{"title": "S", "questions": [{"id": "q1", "scale": {"min": "one"}}]}]}"#.utf8)
        guard case .refused(let issues) = DefinitionValidator().validate(json: json) else {
            Issue.record("malformed JSON was accepted")
            return
        }
        #expect(issues.map(\.code) == [.malformed])
        #expect(issues.first?.message == "member sections[0].questions[0].scale.min has the wrong type")
        guard case .refused(let notJSON) = DefinitionValidator().validate(json: Data("not json".utf8)) else { return }
        #expect(notJSON.map(\.code) == [.malformed])
    }
}
