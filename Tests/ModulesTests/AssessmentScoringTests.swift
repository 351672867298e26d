import Assessment
import Testing

/// Scoring is a pure function of the answers: each kind of question scores as docs/ASSESSMENT.md
/// says, as a share of the most the test can give each dimension; answers a question does not
/// accept score nothing.
@Suite("Assessment scoring")
struct AssessmentScoringTests {
    static func key() throws -> ScoringKey {
        guard case .accepted(let test) = DefinitionValidator().validate(ExampleTest.definition()) else { throw Refused() }
        return test.key
    }
    struct Refused: Error {}

    @Test("the best answers give 100 on the dimensions they aim at")
    func best() throws {
        let sheet = try Self.key().score([
            "q1": .choice("c"), "q2": .choices(["a", "b", "c"]), "q3": .value(5), "q4": .value(5), "q5": .order(["x", "y", "z"]),
            "q6": .choice("a"),
        ])
        #expect(sheet.answered == 6 && sheet.questions == 6)
        #expect(sheet.scores["competency.programming"] == 100)
        #expect(sheet.scores["soft.teamwork"] == 100)
        #expect(sheet.scores["awareness.level"] == 100)
        // sphere.it: q1 c (3) + q2 c (1) + q5 x first (3) of a most of 3 + 1 + 3.
        #expect(sheet.scores["sphere.it"] == 100)
        // sphere.medicine: q2 a (1) + q5 y second (3 × 1/2) of a most of 1 + 3.
        #expect(sheet.scores["sphere.medicine"] == 63)
    }

    @Test("each kind scores its share: a scale midway, an ordering's last place nothing, a wrong choice nothing")
    func shares() throws {
        let sheet = try Self.key().score(["q3": .value(3), "q5": .order(["z", "y", "x"]), "q6": .choice("b")])
        #expect(sheet.scores["soft.teamwork"] == 50)
        #expect(sheet.scores["sphere.construction"] == 100)
        #expect(sheet.scores["sphere.it"] == 0)
        #expect(sheet.scores["awareness.level"] == 0)
        #expect(sheet.answered == 3)
    }

    @Test("answers a question does not accept count as unanswered", arguments: [
        ("q1", Answer.choice("zz")), ("q1", .choices(["a"])), ("q2", .choices([])), ("q2", .choices(["a", "a"])), ("q3", .value(9)),
        ("q5", .order(["x", "y"])), ("q5", .order(["x", "x", "y"])), ("nope", .value(1)),
    ])
    func refusedAnswers(question: String, answer: Answer) throws {
        let key = try Self.key()
        #expect(!key.accepts(answer, for: question))
        #expect(key.score([question: answer]).answered == 0)
    }

    @Test("scoring is pure: the same answers give the same sheet")
    func pure() throws {
        let key = try Self.key()
        let answers: [String: Answer] = ["q1": .choice("a"), "q3": .value(4), "q5": .order(["y", "x", "z"])]
        #expect(key.score(answers) == key.score(answers))
    }
}
